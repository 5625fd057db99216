// The IAM policies of the delivery roles, built from what the program asks of AWS (actions.ts): a
// deploy role's, which reads and writes one stack's resources, and the read-only roles'. A deploy role
// is a delegated IAM administrator (it makes the stack's roles), so it follows AWS's pattern for that
// ("Permissions boundaries for IAM entities", "Delegate permissions management to others"): every
// role it makes or changes carries the stack's boundary (boundary.ts); it can neither remove that
// boundary nor touch the delivery roles and the boundaries themselves; and what it may tag, change
// and delete is confined by the stack's tags, where the service authorizes by tag
// (docs/delivery.md lists what cannot be). test/bootstrap/permissions/ puts these policies through an
// IAM policy evaluator.
//
// This file composes them: the Allow statements by service family (allow-network.ts, allow-cluster.ts,
// allow-iam.ts, allow-keys.ts, allow-names.ts, sorted by statements.ts), a deploy role's denies
// (denies.ts), over the scope of scope.ts.
import { LOOKUP_ACTIONS, RESOURCE_ACTIONS } from "./actions";
import { APP_LOOKUPS, APP_RESOURCE_TYPES } from "./appactions";
import { allowCluster } from "./allow-cluster";
import { allowIam } from "./allow-iam";
import { allowKeys } from "./allow-keys";
import { allowNames } from "./allow-names";
import { allowNetwork } from "./allow-network";
import { deployDenies } from "./denies";
import type { DeployScope, Scope, Statement } from "./scope";
import { Sorter, uniq } from "./statements";

export type { DeployScope, Scope, Statement } from "./scope";
export { ROLE_TAG_KEYS } from "./allow-iam";

/** Calls that take no resource-level permission, or name no resource the scope owns. */
const ACCOUNT_WIDE = new Set([
    "eks:ListClusters",
    "eks:DescribeAddonVersions",
    "ecr:GetAuthorizationToken",
    "logs:DescribeLogGroups",
]);

/**
 * Sorts actions into statements scoped as narrowly as the services allow: EKS, ECR and CloudWatch
 * Logs to the scope's cluster, repository and log group by name; EC2, IAM roles and OIDC providers by
 * the scope's tags (aws:RequestTag on creation, aws:ResourceTag after); KMS keys made with the tags,
 * read by them, and changed only through their own policy; certificates by tag and for the scope's
 * names only, DNS records in their zones and under those names only (none without a name); what
 * takes no resource-level permission to "*". Throws when an action fits no statement, so a new entry
 * in the table cannot go unscoped.
 */
function scoped(actions: string[], s: Scope, write: boolean): Statement[] {
    const sort = new Sorter(actions);
    // Describe calls take no resource; DescribeVpcAttribute alone of them names its VPC.
    sort.add(
        "NoResourceLevel",
        (a) =>
            ACCOUNT_WIDE.has(a) ||
            (a.startsWith("ec2:Describe") && a !== "ec2:DescribeVpcAttribute") ||
            a.startsWith("elasticloadbalancing:Describe"),
        "*",
    );
    // In this order: each family takes what the ones before it left.
    allowNetwork(sort, s);
    allowCluster(sort, s);
    allowIam(sort, s);
    allowKeys(sort, s, write);
    allowNames(sort, s);
    return sort.done();
}

/**
 * The actions of the table: for a deploy role, reads and writes; for the read-only roles, reads. An
 * app stack's deploy role gets its own types' and lookups' alone; a cluster's, every other.
 */
function tableActions(write: boolean, s: Scope): string[] {
    const app = s.platformClusterName !== undefined;
    const types = Object.entries(RESOURCE_ACTIONS).filter(([type]) =>
        app ? APP_RESOURCE_TYPES.includes(type) : !write || !ONLY_APPS.includes(type),
    );
    const lookups = Object.entries(LOOKUP_ACTIONS).filter(([token]) => !app || APP_LOOKUPS.includes(token));
    return uniq([
        ...types.flatMap(([, a]) => (write ? [...a.read, ...a.write] : a.read)),
        ...lookups.flatMap(([, a]) => a),
    ]);
}

/** What only app stacks register: a one-stack or platform deploy role makes none of it. */
const ONLY_APPS = ["aws:eks/podIdentityAssociation:PodIdentityAssociation"];

/** The preview and drift roles' policy: read what the stacks registered, and make the program's lookups. */
export function readPolicy(scope: Scope): object {
    return { Version: "2012-10-17", Statement: scoped(tableActions(false, scope), scope, false) };
}

/**
 * A deploy role's policies: everything for its stack's types and lookups, passing its roles to EKS and
 * EC2 and making EKS's service-linked roles; and the denies that keep it a delegated administrator of
 * its own stack and no more, whatever else the account grants it. Two documents, as IAM's limits want
 * (a role's inline policies hold 10,240 characters): the stack's IAM rights, for a managed policy, and
 * the rest with the denies, inline.
 */
export function deployPolicies(s: DeployScope): { inline: object; iam: object } {
    const resourceTags = Object.fromEntries(
        Object.entries(s.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]),
    );
    const statements: Statement[] = [
        ...scoped(tableActions(true, s), s, true),
        {
            Sid: "ReadItself",
            Effect: "Allow",
            Action: ["iam:GetRole"],
            Resource: s.selfArn,
        },
        // An app's role goes to its pods, by Pod Identity; a cluster's to EKS and its nodes.
        {
            Sid: s.platformClusterName
                ? "PassThisStacksRolesToPodIdentity"
                : "PassThisStacksRolesToEksAndEc2",
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: `arn:${s.partition}:iam::${s.account}:role/*`,
            Condition: {
                StringEquals: resourceTags,
                "ForAnyValue:StringEquals": {
                    "iam:PassedToService": s.platformClusterName
                        ? ["pods.eks.amazonaws.com"]
                        : ["eks.amazonaws.com", "ec2.amazonaws.com"],
                },
            },
        },
        ...(s.platformClusterName ? [] : [eksServiceLinkedRoles(s)]),
    ];
    const isIam = (st: Statement) => st.Action!.every((a) => a.startsWith("iam:"));
    return {
        iam: { Version: "2012-10-17", Statement: statements.filter(isIam) },
        inline: {
            Version: "2012-10-17",
            Statement: [...statements.filter((st) => !isIam(st)), ...deployDenies(s)],
        },
    };
}

/** Making EKS's service-linked roles, which a cluster and its node group need the first time. */
function eksServiceLinkedRoles(s: Scope): Statement {
    return {
        Sid: "EksServiceLinkedRoles",
        Effect: "Allow",
        Action: ["iam:CreateServiceLinkedRole"],
        Resource: `arn:${s.partition}:iam::${s.account}:role/aws-service-role/*`,
        Condition: {
            StringEquals: {
                "iam:AWSServiceName": [
                    "eks.amazonaws.com",
                    "eks-nodegroup.amazonaws.com",
                    "autoscaling.amazonaws.com",
                ],
            },
        },
    };
}
