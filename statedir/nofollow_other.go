//go:build !unix

package statedir

// NoFollow is the open flag that makes opening a symbolic link fail
// (O_NOFOLLOW), on the systems that have it; 0 elsewhere.
const NoFollow = 0
