package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/ogsync/ogsync/config"
)

// k8sContainer is the part of a container spec the rules below read.
type k8sContainer struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Env   []struct {
		Name      string         `yaml:"name"`
		Value     string         `yaml:"value"`
		ValueFrom map[string]any `yaml:"valueFrom"`
	} `yaml:"env"`
	SecurityContext struct {
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
	} `yaml:"securityContext"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
}

// TestKubernetesCronJob checks the example CronJob: jobs never overlap,
// the key comes from a Secret as a file, every container runs non-root on
// a read-only root file system without privilege escalation, a git-sync
// init container makes the checkout ogsync reads, images are pinned, and
// the embedded configuration is one ogsync accepts.
func TestKubernetesCronJob(t *testing.T) {
	raw, err := os.ReadFile("examples/kubernetes/ogsync-cronjob.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cm struct {
		Kind string            `yaml:"kind"`
		Data map[string]string `yaml:"data"`
	}
	var cj struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Spec       struct {
			Schedule          string `yaml:"schedule"`
			ConcurrencyPolicy string `yaml:"concurrencyPolicy"`
			JobTemplate       struct {
				Spec struct {
					BackoffLimit *int `yaml:"backoffLimit"`
					Template     struct {
						Spec struct {
							RestartPolicy                string `yaml:"restartPolicy"`
							AutomountServiceAccountToken *bool  `yaml:"automountServiceAccountToken"`
							SecurityContext              struct {
								RunAsNonRoot *bool `yaml:"runAsNonRoot"`
								RunAsUser    int   `yaml:"runAsUser"`
							} `yaml:"securityContext"`
							InitContainers []k8sContainer `yaml:"initContainers"`
							Containers     []k8sContainer `yaml:"containers"`
							Volumes        []struct {
								Name   string `yaml:"name"`
								Secret *struct {
									SecretName string `yaml:"secretName"`
								} `yaml:"secret"`
								ConfigMap *struct {
									Name string `yaml:"name"`
								} `yaml:"configMap"`
							} `yaml:"volumes"`
						} `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			} `yaml:"jobTemplate"`
		} `yaml:"spec"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&cm); err != nil {
		t.Fatalf("first document: %v", err)
	}
	var rest yaml.Node
	if err := dec.Decode(&rest); err != nil {
		t.Fatalf("second document: %v", err)
	}
	if err := rest.Decode(&cj); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&rest); !errors.Is(err, io.EOF) {
		t.Errorf("more than two documents: %v", err)
	}
	if cm.Kind != "ConfigMap" || cj.Kind != "CronJob" || cj.APIVersion != "batch/v1" {
		t.Fatalf("kinds %s, %s %s; want a ConfigMap and a batch/v1 CronJob", cm.Kind, cj.APIVersion, cj.Kind)
	}
	s := cj.Spec
	if s.ConcurrencyPolicy != "Forbid" {
		t.Errorf("concurrencyPolicy %q, want Forbid", s.ConcurrencyPolicy)
	}
	job := s.JobTemplate.Spec
	if job.BackoffLimit == nil || *job.BackoffLimit != 0 {
		t.Error("backoffLimit must be 0: the next schedule is the retry")
	}
	pod := job.Template.Spec
	if pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.RunAsUser == 0 {
		t.Error("the pod must run as a non-root user")
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Error("the pod must not mount a service-account token")
	}
	if pod.RestartPolicy != "Never" {
		t.Errorf("restartPolicy %q, want Never", pod.RestartPolicy)
	}
	pinned := regexp.MustCompile(`:v\d+\.\d+\.\d+$`)
	all := append(append([]k8sContainer{}, pod.InitContainers...), pod.Containers...)
	for _, c := range all {
		sc := c.SecurityContext
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Errorf("container %s: root file system not read-only", c.Name)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Errorf("container %s: privilege escalation allowed", c.Name)
		}
		if len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
			t.Errorf("container %s: capabilities not all dropped", c.Name)
		}
		if !pinned.MatchString(c.Image) {
			t.Errorf("container %s: image %q is not pinned to a version", c.Name, c.Image)
		}
		for _, e := range c.Env {
			if strings.Contains(strings.ToUpper(e.Name), "KEY") || e.ValueFrom != nil {
				t.Errorf("container %s: the key must come as a file, not the environment variable %s", c.Name, e.Name)
			}
		}
	}
	if len(pod.InitContainers) != 1 || !strings.Contains(pod.InitContainers[0].Image, "git-sync") {
		t.Fatalf("want one git-sync init container, got %+v", pod.InitContainers)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("want one ogsync container, got %d", len(pod.Containers))
	}
	og := pod.Containers[0]
	if args := strings.Join(og.Args, " "); !strings.Contains(args, "run --config /etc/ogsync/ogsync.yaml --once") {
		t.Errorf("ogsync args %q, want one cycle (run --once) with the mounted configuration", args)
	}
	mounts := map[string]string{}
	for _, m := range og.VolumeMounts {
		mounts[m.Name] = m.MountPath
	}
	secrets := map[string]string{}
	for _, v := range pod.Volumes {
		if v.Secret != nil {
			secrets[v.Name] = v.Secret.SecretName
		}
	}

	// The embedded configuration loads, reads the key from the mounted
	// Secret and the desired state from the git-sync checkout.
	dir := t.TempDir()
	file := filepath.Join(dir, "ogsync.yaml")
	if err := os.WriteFile(file, []byte(cm.Data["ogsync.yaml"]), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadFile(file)
	if err != nil {
		t.Fatalf("the CronJob's configuration does not load: %v", err)
	}
	keyDir := filepath.Dir(cfg.OpsGenie.APIKeyFile)
	found := false
	for name, path := range mounts {
		if path == keyDir && secrets[name] != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("api_key_file %s is not in a mounted Secret (mounts %v, secrets %v)", cfg.OpsGenie.APIKeyFile, mounts, secrets)
	}
	if !strings.HasPrefix(cfg.Source.Path, mounts["git"]+"/") || cfg.Source.Git.Pull {
		t.Errorf("source.path %s (pull %v) is not the git-sync checkout under %s", cfg.Source.Path, cfg.Source.Git.Pull, mounts["git"])
	}
	if cfg.StateDir != mounts["state"] {
		t.Errorf("state_dir %s is not the mounted state volume %s", cfg.StateDir, mounts["state"])
	}
	if first, _, _ := strings.Cut(cm.Data["ogsync.yaml"], "\n"); first != config.SchemaModeline {
		t.Errorf("the configuration's first line %q is not the schema modeline", first)
	}
}
