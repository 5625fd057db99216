// The config reference (docs/configuration.md), generated from Pulumi.yaml: `npm run docs:config`
// rewrites it, and test/repo/docs.test.ts fails when it is out of date.
import * as fs from "fs";
import * as path from "path";
import { ROOT, readProjectFile } from "../offline/stack-config";

export const BEGIN =
    "<!-- config-reference:begin (npm run docs:config rewrites this table from Pulumi.yaml) -->";
export const END = "<!-- config-reference:end -->";

/** The config table, built from Pulumi.yaml's declarations. */
export function configReferenceTable(): string {
    const project = readProjectFile();
    const rows = Object.entries(project.config ?? {})
        .filter(([key]) => !key.includes(":"))
        .map(([key, decl]) => {
            const type =
                decl.type === "array"
                    ? "list of strings"
                    : decl.type === "object"
                      ? "map of strings"
                      : decl.type;
            const value = JSON.stringify(decl.default);
            return `| \`${project.name}:${key}\` | ${type} | \`${value}\` | ${decl.description} |`;
        });
    return ["| key | type | default | what it does |", "|---|---|---|---|", ...rows].join("\n");
}

/** The document where the table lives. */
export const CONFIG_REFERENCE = path.join(ROOT, "docs", "configuration.md");

/** That document's text with the table between the markers replaced by the current one. */
export function withConfigReference(text: string): string {
    const start = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    if (start < 0 || end < start) throw new Error(`docs/configuration.md has no ${BEGIN} ... ${END} section`);
    return `${text.slice(0, start + BEGIN.length)}\n${configReferenceTable()}\n${text.slice(end)}`;
}

if (require.main === module) {
    fs.writeFileSync(CONFIG_REFERENCE, withConfigReference(fs.readFileSync(CONFIG_REFERENCE, "utf8")));
}
