import { bytesOf, cpusOf } from "../../domain/quantities";
import { DNS_NAME, DNS_NAME_EXPECTED, HOSTED_ZONE_ID, HOSTED_ZONE_ID_EXPECTED } from "../dnsnames";
import { Reader, complete, parseJson } from "../reader";

// The layer section: which part of the platform-and-apps split a stack is. `all` is the one-stack
// shape (cluster and service together); `platform` is the shared part of an environment and the
// namespaces it lends its apps (tenants); `app` is one service in its tenant namespace, reading its
// platform stack's outputs.

export const LAYERS = ["all", "platform", "app"] as const;
export type Layer = (typeof LAYERS)[number];

/** A Kubernetes name that is also a DNS label, an ECR path part and an IAM name part. */
const APP_NAME = /^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/;
const APP_NAME_EXPECTED = "lowercase letters, digits and -, starting with a letter, at most 20 characters";
/** A stack of this project (dev-platform), or of any project (org/project/stack). */
const STACK_NAME = /^([\w.-]+\/[\w.-]+\/)?[\w.-]+$/;
const CPU = /^(\d+m|\d+(\.\d+)?)$/;
const MEMORY = /^\d+(Ki|Mi|Gi)$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const TENANT_FIELDS = ["cpu", "memory", "pods", "deployRoleArns", "deployStacks", "entry", "namespace"];
/** A Kubernetes namespace's name: a DNS label. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Kubernetes' own namespaces: no app's. */
const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
/** How an app's clients reach it: an NLB of its own, or a host on the platform's shared ALB. */
export const ENTRIES = ["own", "shared"] as const;
export type Entry = (typeof ENTRIES)[number];

/** What the platform lends one app: its namespace's quota, and who deploys into it. */
export interface Tenant {
    /** The namespace's ResourceQuota: CPU and memory requested by all its pods, and their count. */
    cpu: string;
    memory: string;
    pods: number;
    /** IAM roles given edit rights in the namespace only (an EKS access entry scoped to it). */
    deployRoleArns: string[];
    /** App stacks whose bootstrap deploy role (deliveryRoles) gets the same. */
    deployStacks: string[];
    /** An NLB of the app's own, or its host (`<app>.<sharedEntryDomain>`) on the platform's ALB. */
    entry: Entry;
    /**
     * The namespace's name: the app's by default; another keeps an existing namespace, such as a
     * one-stack environment's flask-app when it moves onto a platform (docs/operations.md).
     */
    namespace: string;
}

/** A platform's one ALB for its tenants of entry shared, each by its host under the domain. */
export interface SharedEntry {
    /** Each app's host is `<app>.<domain>`; the ALB serves `*.<domain>`'s certificate. */
    domain: string;
    /** The Route 53 zone the certificate is validated in and the apps' records go in. */
    hostedZoneId: string;
}

export interface LayerSettings {
    layer: Layer;
    /** The service's name: its Deployment, Service and image repository; an app stack's namespace. */
    appName: string;
    /** An app stack's platform stack, as a StackReference names it. */
    platformStack?: string;
    /** A platform stack's apps, by name. */
    tenants: Record<string, Tenant>;
    /** A platform stack's shared ALB, when it has one. */
    sharedEntry?: SharedEntry;
}

export function layer(r: Reader): LayerSettings | undefined {
    const layer = r.oneOf("layer", LAYERS);
    const appName = r.string("appName", APP_NAME, APP_NAME_EXPECTED);
    const platformStack = r.emptyOr(
        "platformStack",
        STACK_NAME,
        "a stack name (dev-platform) or org/project/stack",
    );
    const tenants = tenantsOf(r);
    const sharedEntry = sharedEntryOf(r);
    const before = r.problems.length;
    if (layer === "app" && platformStack === null)
        r.problem("platformStack", "", "the platform stack this app runs on, when layer is app");
    if (layer !== undefined && layer !== "app" && platformStack)
        r.problem(
            "platformStack",
            platformStack,
            `empty when layer is ${layer}: only an app stack reads a platform`,
        );
    if (layer !== undefined && layer !== "platform" && tenants && Object.keys(tenants).length > 0)
        r.problem(
            "tenants",
            Object.keys(tenants),
            `{} when layer is ${layer}: only a platform stack lends namespaces`,
        );
    if (layer !== undefined && layer !== "platform" && sharedEntry)
        r.problem(
            "sharedEntryDomain",
            sharedEntry.domain,
            `empty when layer is ${layer}: only a platform stack has a shared entry`,
        );
    const sharing = Object.entries(tenants ?? {}).filter(([, t]) => t.entry === "shared");
    if (sharedEntry === null && sharing.length > 0)
        r.problem(
            "sharedEntryDomain",
            "",
            `a domain with sharedEntryZoneId, for the tenants of entry shared (${sharing.map(([app]) => app).join(", ")})`,
        );
    if (r.problems.length > before) return undefined;
    return complete({ layer, appName, platformStack, tenants, sharedEntry });
}

/** Both keys, or neither (null); undefined once a problem is reported. */
function sharedEntryOf(r: Reader): SharedEntry | null | undefined {
    const domain = r.emptyOr("sharedEntryDomain", DNS_NAME, DNS_NAME_EXPECTED);
    const hostedZoneId = r.emptyOr("sharedEntryZoneId", HOSTED_ZONE_ID, HOSTED_ZONE_ID_EXPECTED);
    if (domain === undefined || hostedZoneId === undefined) return undefined;
    if ((domain === null) !== (hostedZoneId === null)) {
        const [key, got] =
            domain === null ? ["sharedEntryDomain", domain] : ["sharedEntryZoneId", hostedZoneId];
        r.problem(key, got ?? "", "set with the other: sharedEntryDomain and sharedEntryZoneId go together");
        return undefined;
    }
    return domain === null ? null : { domain, hostedZoneId: hostedZoneId! };
}

/** The tenants map (`{}` by default); undefined once a problem is reported. */
function tenantsOf(r: Reader): Record<string, Tenant> | undefined {
    const raw = r.emptyOr("tenants", undefined, undefined, true);
    if (typeof raw !== "string") return raw === null ? {} : undefined;
    const parsed = parseJson(raw);
    const name = r.name("tenants");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        r.problems.push(`${name}: got ${raw}, expected a map of app name: {${TENANT_FIELDS.join(", ")}}`);
        return undefined;
    }
    const before = r.problems.length;
    const tenants: Record<string, Tenant> = {};
    for (const [app, value] of Object.entries(parsed as Record<string, unknown>)) {
        if (!APP_NAME.test(app)) {
            r.problems.push(
                `${name}: got the app name ${JSON.stringify(app)}, expected ${APP_NAME_EXPECTED}`,
            );
            continue;
        }
        const tenant = tenantOf(r, `${name}.${app}`, app, value);
        if (tenant) tenants[app] = tenant;
    }
    const owner = new Map<string, string>();
    for (const [app, { namespace }] of Object.entries(tenants)) {
        const other = owner.get(namespace);
        if (other)
            r.problems.push(
                `${name}.${app}.namespace: got "${namespace}", expected a namespace of ${app}'s own: it is ${other}'s`,
            );
        owner.set(namespace, app);
    }
    return r.problems.length > before ? undefined : tenants;
}

function tenantOf(r: Reader, key: string, app: string, value: unknown): Tenant | undefined {
    const got = (field: string) => (value as Record<string, unknown>)[field];
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        r.problems.push(`${key}: got ${JSON.stringify(value)}, expected {${TENANT_FIELDS.join(", ")}}`);
        return undefined;
    }
    const before = r.problems.length;
    const bad = (field: string, expected: string) =>
        r.problems.push(`${key}.${field}: got ${JSON.stringify(got(field))}, expected ${expected}`);
    const cpu = got("cpu");
    if (typeof cpu !== "string" || !CPU.test(cpu) || cpusOf(cpu) <= 0)
        bad("cpu", "CPUs the namespace's pods may request in all, such as 2 or 1500m");
    const memory = got("memory");
    if (typeof memory !== "string" || !MEMORY.test(memory) || bytesOf(memory) <= 0)
        bad("memory", "memory its pods may request in all, such as 4Gi or 3072Mi");
    const pods = got("pods") ?? 20;
    if (typeof pods !== "number" || !Number.isInteger(pods) || pods < 1 || pods > 500)
        bad("pods", "how many pods it may run, an integer from 1 to 500 (default 20)");
    const roles = got("deployRoleArns") ?? [];
    if (!Array.isArray(roles) || roles.some((arn) => typeof arn !== "string" || !ROLE_ARN.test(arn)))
        bad("deployRoleArns", "a list of IAM role ARNs (default [])");
    const stacks = got("deployStacks") ?? [];
    if (
        !Array.isArray(stacks) ||
        stacks.some((stack) => typeof stack !== "string" || !/^[\w.-]+$/.test(stack))
    )
        bad("deployStacks", "a list of this project's app stacks, such as dev-web (default [])");
    const namespace = got("namespace") ?? app;
    if (typeof namespace !== "string" || !NAMESPACE.test(namespace) || SYSTEM_NAMESPACES.includes(namespace))
        bad(
            "namespace",
            `a namespace name (lowercase letters, digits and -, at most 63 characters) that is not one of ${SYSTEM_NAMESPACES.join(", ")} (default the app's name)`,
        );
    const entry = got("entry") ?? "own";
    if (!ENTRIES.includes(entry as Entry))
        bad(
            "entry",
            `one of ${ENTRIES.join(", ")}: an NLB of its own, or a host on the shared ALB (default own)`,
        );
    for (const field of Object.keys(value).filter((f) => !TENANT_FIELDS.includes(f)))
        r.problems.push(`${key}.${field}: is set, expected only ${TENANT_FIELDS.join(", ")}`);
    if (r.problems.length > before) return undefined;
    return {
        cpu: cpu as string,
        memory: memory as string,
        pods: pods as number,
        deployRoleArns: roles as string[],
        deployStacks: stacks as string[],
        entry: entry as Entry,
        namespace: namespace as string,
    };
}
