package config

// SchemaURL is where the JSON Schema of the configuration file
// (config/schema/config.schema.json) is published.
const SchemaURL = "https://raw.githubusercontent.com/ogsync/ogsync/main/config/schema/config.schema.json"

// SchemaModeline is the first line of a configuration file that makes
// editors running yaml-language-server validate it against the schema.
const SchemaModeline = "# yaml-language-server: $schema=" + SchemaURL
