import { bytesOf, cpusOf } from "../../domain/quantities";
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
const TENANT_FIELDS = ["cpu", "memory", "pods", "deployRoleArns", "deployStacks"];

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
}

export interface LayerSettings {
    layer: Layer;
    /** The service's name: its Deployment, Service and image repository; an app stack's namespace. */
    appName: string;
    /** An app stack's platform stack, as a StackReference names it. */
    platformStack?: string;
    /** A platform stack's apps, by name. */
    tenants: Record<string, Tenant>;
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
    return r.problems.length > before ? undefined : complete({ layer, appName, platformStack, tenants });
}

/** The tenants map (`{}` by default); undefined once a problem is reported. */
function tenantsOf(r: Reader): Record<string, Tenant> | undefined {
    const raw = r.emptyOr("tenants", undefined, undefined, true);
    if (typeof raw !== "string") return raw === null ? {} : undefined;
    const parsed = parseJson(raw);
    const name = r.name("tenants");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        r.problems.push(
            `${name}: got ${raw}, expected a map of app name: {cpu, memory, pods, deployRoleArns, deployStacks}`,
        );
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
        const tenant = tenantOf(r, `${name}.${app}`, value);
        if (tenant) tenants[app] = tenant;
    }
    return r.problems.length > before ? undefined : tenants;
}

function tenantOf(r: Reader, key: string, value: unknown): Tenant | undefined {
    const got = (field: string) => (value as Record<string, unknown>)[field];
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        r.problems.push(
            `${key}: got ${JSON.stringify(value)}, expected {cpu, memory, pods, deployRoleArns, deployStacks}`,
        );
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
    for (const field of Object.keys(value).filter((f) => !TENANT_FIELDS.includes(f)))
        r.problems.push(`${key}.${field}: is set, expected only ${TENANT_FIELDS.join(", ")}`);
    if (r.problems.length > before) return undefined;
    return {
        cpu: cpu as string,
        memory: memory as string,
        pods: pods as number,
        deployRoleArns: roles as string[],
        deployStacks: stacks as string[],
    };
}
