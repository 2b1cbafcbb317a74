package source

// SchemaURL is where the JSON Schema of a desired-state file
// (source/schema/desired-state.schema.json) is published.
const SchemaURL = "https://raw.githubusercontent.com/ogsync/ogsync/main/source/schema/desired-state.schema.json"

// SchemaModeline is the first line of a desired-state file that makes
// editors running yaml-language-server validate it against the schema.
const SchemaModeline = "# yaml-language-server: $schema=" + SchemaURL
