// Rewrites the config reference table in README.md from Pulumi.yaml.
import * as fs from "fs";
import * as path from "path";
import { withConfigReference } from "../harness/config-reference";
import { ROOT } from "../harness/stack-config";

const readme = path.join(ROOT, "README.md");
fs.writeFileSync(readme, withConfigReference(fs.readFileSync(readme, "utf8")));
