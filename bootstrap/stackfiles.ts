// What the bootstrap reads from the program's stack files: a stack's public name (its deploy role may
// make that name's certificate and records) and an app stack's platform. Read from the files the
// stacks deploy with, so the grants follow them when the bootstrap runs again.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { DNS_NAME, DNS_NAME_EXPECTED, HOSTED_ZONE_ID, HOSTED_ZONE_ID_EXPECTED } from "../config/dnsnames";
import type { Reader } from "../config/reader";

/** The repository's root: the flask-eks project, whose stacks this program delivers. */
export const REPOSITORY_ROOT = path.join(__dirname, "..");

/** The flask-eks project's name, from its Pulumi.yaml: its stacks' paths and clusters' names start with it. */
export function projectName(): string {
    return (yaml.load(fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8")) as { name: string })
        .name;
}

/** A stack's own DNS name and the Route 53 zone that holds it (its stack file's hostname, hostedZoneId). */
export interface PublicName {
    hostname: string;
    hostedZoneId: string;
    /**
     * What the stack makes of the name: its certificate and its record (unset); the certificate only (a
     * platform's `*.<sharedEntryDomain>`, its shared ALB's); the record only (an app's host on that
     * ALB, whose certificate is the platform's).
     */
    makes?: "certificate" | "record";
}

/** A stack file's config, as it is written (the bootstrap reads what it needs of it), and its name. */
function stackFileConfig(stack: string, root: string): { file: string; values?: Record<string, unknown> } {
    const file = `Pulumi.${stack}.yaml`;
    const parsed = yaml.load(fs.readFileSync(path.join(root, file), "utf8")) as {
        config?: Record<string, unknown>;
    } | null;
    return { file, values: parsed?.config };
}

/**
 * The public name a stack's file sets, if any: its deploy role may then make the name's certificate
 * and records, in that zone and for that name only (allow-names.ts). A platform's shared entry is the
 * certificate of `*.<sharedEntryDomain>`; an app on it has its host's record, named from its
 * platform's file. Read from the files the stack deploys with, so the grant follows them when the
 * bootstrap runs again; checked as the stack checks them, each problem recorded on `r` with its file.
 */
export function publicNameOf(
    stack: string,
    r: Reader,
    project = projectName(),
    root = REPOSITORY_ROOT,
): PublicName | undefined {
    const { file, values } = stackFileConfig(stack, root);
    const own = nameIn(file, values, r, project, ["hostname", "hostedZoneId"]);
    if (own) return own;
    if (values?.[`${project}:layer`] === "platform") {
        const entry = nameIn(file, values, r, project, SHARED_ENTRY_KEYS);
        return entry && { ...entry, hostname: `*.${entry.hostname}`, makes: "certificate" };
    }
    // A platform named wrongly is platformStackOf's problem to report.
    const platformStack = platformStackIn(values, project);
    if (!platformStack) return undefined;
    const platform = stackFileConfig(platformStack, root);
    const app = values?.[`${project}:appName`] ?? "web";
    const tenants = platform.values?.[`${project}:tenants`] as
        Record<string, { entry?: unknown }> | undefined;
    if (typeof app !== "string" || tenants?.[app]?.entry !== "shared") return undefined;
    const entry = nameIn(platform.file, platform.values, r, project, SHARED_ENTRY_KEYS);
    return entry && { ...entry, hostname: `${app}.${entry.hostname}`, makes: "record" };
}

/** A name and its zone from a stack file's two keys, each checked as the stack checks it. */
function nameIn(
    file: string,
    values: Record<string, unknown> | undefined,
    r: Reader,
    project: string,
    [nameKey, zoneKey]: [string, string],
): PublicName | undefined {
    const value = (key: string, pattern: RegExp, expected: string): string | undefined => {
        const v = values?.[`${project}:${key}`] ?? "";
        const problem = (what: string) => r.problem(`${project}:${key} in ${file}`, v, what);
        if (typeof v !== "string")
            problem(`a plain string: the name is public, and the bootstrap reads it from ${file}`);
        else if (v !== "" && !pattern.test(v)) problem(`empty, or ${expected}`);
        else return v;
        return undefined;
    };
    const hostname = value(nameKey, DNS_NAME, DNS_NAME_EXPECTED);
    const hostedZoneId = value(zoneKey, HOSTED_ZONE_ID, HOSTED_ZONE_ID_EXPECTED);
    return hostname && hostedZoneId ? { hostname, hostedZoneId } : undefined;
}

/**
 * The platform stack an app stack's file names (layer app, platformStack), if it is one: its deploy
 * role then makes its Pod Identity association on that platform's cluster, and no cluster of its
 * own. The platform must be a stack of this project, whose cluster the bootstrap can name.
 */
export function platformStackOf(
    stack: string,
    r: Reader,
    project = projectName(),
    root = REPOSITORY_ROOT,
): string | undefined {
    const { file, values } = stackFileConfig(stack, root);
    if (values?.[`${project}:layer`] !== "app") return undefined;
    const platform = platformStackIn(values, project);
    if (platform) return platform;
    r.problem(
        `${project}:platformStack in ${file}`,
        values?.[`${project}:platformStack`] ?? "",
        "a stack of this project (such as dev-platform): the bootstrap names its cluster from it",
    );
    return undefined;
}

/** An app stack's file's platform, when it names a stack of this project by its name alone. */
function platformStackIn(values: Record<string, unknown> | undefined, project: string): string | undefined {
    if (values?.[`${project}:layer`] !== "app") return undefined;
    const platform = values[`${project}:platformStack`];
    return typeof platform === "string" && /^[\w.-]+$/.test(platform) ? platform : undefined;
}

/** The keys of a platform's shared entry: its domain, and the zone that holds it. */
const SHARED_ENTRY_KEYS: [string, string] = ["sharedEntryDomain", "sharedEntryZoneId"];
