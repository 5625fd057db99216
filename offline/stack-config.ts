import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

/** The project root: where Pulumi.yaml and the stack files live. */
export const ROOT = path.join(__dirname, "..");

/** A stack name that has no Pulumi.<stack>.yaml, or a file that cannot be read. */
export class StackFileError extends Error {
    override name = "StackFileError";
}

export interface StackConfigValues {
    project: string;
    /** Fully qualified key (`project:key`, `aws:region`) to the string the CLI would hand the program. */
    values: Record<string, string>;
    /** Keys whose values are secrets (`secure:` in the stack file). */
    secretKeys: string[];
}

interface ProjectFile {
    name: string;
    config?: Record<string, { type?: string; default?: unknown; value?: unknown; description?: string }>;
}

/**
 * What each YAML file held when it was last parsed, and what it parsed to. Every run reads Pulumi.yaml
 * (16 KB, mostly descriptions), and so does this module on import (PROJECT): the first parse in a
 * process takes 5 to 13 ms, a later one 2. A file's text is read every time, so a changed file is
 * parsed again.
 */
const parsedYaml = new Map<string, { text: string; value: unknown }>();

/**
 * A YAML file's content, shared between the calls that read the same text (callers do not change
 * it); a syntax error becomes a StackFileError naming the file, line and column.
 */
function readYaml(file: string): unknown {
    const text = fs.readFileSync(file, "utf8");
    const parsed = parsedYaml.get(file);
    if (parsed?.text === text) return parsed.value;
    try {
        const value = yaml.load(text);
        parsedYaml.set(file, { text, value });
        return value;
    } catch (e) {
        if (!(e instanceof yaml.YAMLException)) throw e;
        const at = e.mark ? ` line ${e.mark.line + 1}, column ${e.mark.column + 1}` : "";
        throw new StackFileError(`${path.basename(file)}${at}: invalid YAML: ${e.reason}`);
    }
}

export function readProjectFile(root = ROOT): ProjectFile {
    return readYaml(path.join(root, "Pulumi.yaml")) as ProjectFile;
}

/** The project's name, from Pulumi.yaml: the namespace of its config keys. */
export const PROJECT = readProjectFile().name;

/** Stack names with a committed Pulumi.<stack>.yaml, sorted. */
export function committedStacks(root = ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * The config a stack's program sees, as the CLI builds it: Pulumi.yaml defaults and values, overlaid by
 * Pulumi.<stack>.yaml. Values become strings the way the CLI passes them (lists and maps as JSON).
 * Encrypted values cannot be decrypted here; they become a placeholder and are listed as secret.
 */
export function loadStackConfig(stack: string, root = ROOT): StackConfigValues {
    const stacks = committedStacks(root);
    if (!stacks.includes(stack)) {
        throw new StackFileError(
            `unknown stack "${stack}": there is no Pulumi.${stack}.yaml in ${root}. Valid stacks: ${stacks.join(", ") || "none"}.`,
        );
    }
    const project = readProjectFile(root);
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const qualify = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        const value = decl.value ?? decl.default;
        if (value !== undefined) values[qualify(key)] = configString(value);
    }
    const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
    const parsed = readYaml(stackFile) as {
        config?: Record<string, unknown>;
    } | null;
    for (const [key, value] of Object.entries(parsed?.config ?? {})) {
        const { masked, secret } = maskSecure(value);
        if (secret) secretKeys.push(qualify(key));
        values[qualify(key)] = configString(masked);
    }
    return { project: project.name, values, secretKeys };
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && "secure" in value;
}

/**
 * The value with every encrypted leaf (`secure:`, at the top or inside a map or list, as
 * `pulumi config set --secret --path` writes it) replaced by "[secret]", and whether there was one:
 * the names around the secrets stay readable, as the CLI hands them to the program.
 */
function maskSecure(value: unknown): { masked: unknown; secret: boolean } {
    if (isSecure(value)) return { masked: "[secret]", secret: true };
    if (Array.isArray(value)) {
        const items = value.map(maskSecure);
        return { masked: items.map((i) => i.masked), secret: items.some((i) => i.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value).map(([k, v]) => [k, maskSecure(v)] as const);
        return {
            masked: Object.fromEntries(entries.map(([k, v]) => [k, v.masked])),
            secret: entries.some(([, v]) => v.secret),
        };
    }
    return { masked: value, secret: false };
}

function configString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}
