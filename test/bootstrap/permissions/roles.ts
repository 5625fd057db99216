// The delivery roles as the bootstrap's example makes them, judged by what they allow, not by how their
// policies read: each request goes through an IAM policy evaluator (test/iam.ts) with the context keys
// AWS would put in it. What the tests in this folder share.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { RunResult, runStack } from "../../../offline";
import { ROOT } from "../../../offline/stack-config";
import {
    ACCOUNT,
    Decision,
    Principal,
    Request,
    decide,
    requestTagsFor,
    stackResources,
    taggedFor,
} from "../../iam";
import { inputs, okRun, one } from "../../helpers";

export const STACKS = ["dev", "staging", "prod"];
export const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
export const policy = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;

/** A request of one action against one or more resources (a subnet's create names its VPC too). */
export interface Call {
    action: string;
    on: Request[];
}

/** The delivery roles as the bootstrap's example makes them: each role's ARN, policies and tags. */
export interface Identity extends Principal {
    tags: Record<string, string>;
}

/** The bootstrap's run, which makes the roles: loadRoles() sets it, in each test file's before(). */
export let run: RunResult;
/** Each stack's KMS key policy, as the program writes it: it names the stack's deploy role. */
export const keyPolicies: Record<string, object> = {};
export async function loadRoles(): Promise<void> {
    run = await runStack("example", { root: path.join(ROOT, "bootstrap") });
    assert.equal(run.error, undefined, run.error?.message);
    for (const stack of STACKS)
        keyPolicies[stack] = JSON.parse(inputs(one(await okRun(stack), "aws:kms/key:Key")).policy);
}

/** A delivery role of the bootstrap's run (loadRoles'), or of another run of it. */
export function identity(name: string, of: RunResult = run): Identity {
    const roleInputs = inputs(one(of, "aws:iam/role:Role", name));
    const provider = inputs(one(of, "pulumi:providers:aws"));
    const defaults = JSON.parse(provider.defaultTags ?? "{}").tags ?? {};
    // A deploy role's rights over its stack's roles are a managed policy attached to it.
    const managed = of.registrations.filter(
        (r) => r.type === "aws:iam/policy:Policy" && r.name === name.replace(/^deploy-/, "deploy-iam-"),
    );
    return {
        arn: role(roleInputs.name),
        policies: [inputs(one(of, "aws:iam/rolePolicy:RolePolicy", name)), ...managed.map(inputs)].map((p) =>
            JSON.parse(p.policy),
        ),
        tags: { ...defaults, ...roleInputs.tags },
    };
}

/** The context of a request naming an IAM role: the tags it carries. */
export const rolesTags = (who: Identity) =>
    Object.fromEntries(Object.entries(who.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));

/** IAM's decision on a call: allowed only if every resource it names is. */
export async function decisionOn(who: Principal, call: Call): Promise<Decision> {
    const each = await Promise.all(
        call.on.map((request) => decide(who, { ...request, action: call.action })),
    );
    return (
        each.find((d) => d === "ExplicitlyDenied") ?? each.find((d) => d === "ImplicitlyDenied") ?? "Allowed"
    );
}

/** The calls whose decision is not `expected`, a line each: empty when every one is. */
export async function notDecided(
    who: Principal,
    calls: Call[],
    expected: Decision | "Denied",
): Promise<string[]> {
    const lines: string[] = [];
    for (const call of calls) {
        const decision = await decisionOn(who, call);
        if (expected === "Denied" ? decision === "Allowed" : decision !== expected)
            lines.push(`${decision} ${call.action} on ${call.on.map((r) => r.resource).join(", ")}`);
    }
    return lines;
}

/** How a stack's calls name what they act on: made with the stack's tags, or carrying them already. */
export function requestsFor(stack: string) {
    const r = stackResources(stack);
    const boundary = { "iam:PermissionsBoundary": r.boundary };
    const created = (arn: string, extra = {}): Request => ({
        action: "",
        resource: arn,
        context: { ...requestTagsFor(stack, ["Name", "project", "stack", "managed-by"]), ...extra },
    });
    const existing = (arn: string, extra = {}): Request => ({
        action: "",
        resource: arn,
        context: { ...taggedFor(stack), ...extra },
    });
    const anywhere: Request = { action: "", resource: "*" };
    const calls = (actions: string[], ...on: Request[]) => actions.map((action) => ({ action, on }));
    const tagOnCreate = (arn: string, create: string): Call => ({
        action: "ec2:CreateTags",
        on: [created(arn, { "ec2:CreateAction": create })],
    });
    return { r, boundary, created, existing, anywhere, calls, tagOnCreate };
}
