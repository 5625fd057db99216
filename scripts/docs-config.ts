// The README's config reference, generated from Pulumi.yaml: `npm run docs:config` rewrites it, and
// test/readme.test.ts fails when it is out of date.
import * as fs from "fs";
import * as path from "path";
import { ROOT, readProjectFile } from "../harness/stack-config";

export const BEGIN =
    "<!-- config-reference:begin (npm run docs:config rewrites this table from Pulumi.yaml) -->";
export const END = "<!-- config-reference:end -->";

/** The README's config table, built from Pulumi.yaml's declarations. */
export function configReferenceTable(): string {
    const project = readProjectFile();
    const rows = Object.entries(project.config ?? {})
        .filter(([key]) => !key.includes(":"))
        .map(([key, decl]) => {
            const type = decl.type === "array" ? "list of strings" : decl.type;
            const value = JSON.stringify(decl.default);
            return `| \`${project.name}:${key}\` | ${type} | \`${value}\` | ${decl.description} |`;
        });
    return ["| key | type | default | what it does |", "|---|---|---|---|", ...rows].join("\n");
}

/** README text with the table between the markers replaced by the current one. */
export function withConfigReference(readme: string): string {
    const start = readme.indexOf(BEGIN);
    const end = readme.indexOf(END);
    if (start < 0 || end < start) throw new Error(`README.md has no ${BEGIN} ... ${END} section`);
    return `${readme.slice(0, start + BEGIN.length)}\n${configReferenceTable()}\n${readme.slice(end)}`;
}

if (require.main === module) {
    const readme = path.join(ROOT, "README.md");
    fs.writeFileSync(readme, withConfigReference(fs.readFileSync(readme, "utf8")));
}
