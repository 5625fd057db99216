// The IAM policies of the delivery roles, built from what the program asks of AWS (actions.ts): a
// deploy role's, which reads and writes one stack's resources, and the read-only roles'. A deploy role
// is a delegated IAM administrator (it makes the stack's roles), so it follows AWS's pattern for that
// ("Permissions boundaries for IAM entities", "Delegate permissions management to others"): every
// role it makes or changes carries the stack's boundary (boundary.ts); it can neither remove that
// boundary nor touch the delivery roles and the boundaries themselves; and what it may tag, change
// and delete is confined by the stack's tags, where the service authorizes by tag
// (docs/delivery.md lists what cannot be). test/deployrole.test.ts puts these policies through an IAM
// policy evaluator.
import { LOOKUP_ACTIONS, RESOURCE_ACTIONS } from "./actions";
import type { PublicName } from "./config";

/** Which resources a policy covers: one stack's, or (for the read-only roles) every stack's of the project. */
export interface Scope {
    partition: string;
    region: string;
    account: string;
    project: string;
    /**
     * The EKS cluster's name, which names its node groups, add-ons, access entries, log group and ECR
     * repository; a pattern (flask-eks-*) for every stack's.
     */
    clusterName: string;
    /** The tags every AWS resource of the scope carries (the program's provider adds them to all). */
    tags: Record<string, string>;
    /** The policies the program attaches to its roles (EKS's, the CNI's, ECR's pull, the apps'). */
    managedPolicyArns: string[];
    /** The permissions boundaries of the scope (one stack's, or every stack's as a pattern). */
    boundaryArn: string;
    /** The public names of the scope, each in its Route 53 zone (none: no certificate, no DNS record). */
    publicNames: PublicName[];
    /** Names the scope had: their records may be deleted, nothing else. */
    retiredNames: PublicName[];
}

/** What one stack's deploy role needs beyond its scope: its own ARN, and the delivery roles to keep off. */
export interface DeployScope extends Scope {
    /** The deploy role itself, which reads its own role (the program looks up who deploys). */
    selfArn: string;
    /** The delivery roles and boundaries of the project, which no deploy role may change. */
    protectedArns: string[];
}

export interface Statement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Action?: string[];
    NotAction?: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

/** The tag keys the program puts on IAM roles (its provider's default tags): the only ones a deploy role sets. */
export const ROLE_TAG_KEYS = ["project", "stack", "managed-by"];

/** The EC2 calls that create a taggable resource, and the resource type each creates. */
const EC2_CREATES: Record<string, string> = {
    "ec2:CreateVpc": "vpc",
    "ec2:CreateSubnet": "subnet",
    "ec2:CreateInternetGateway": "internet-gateway",
    "ec2:CreateRouteTable": "route-table",
    "ec2:AllocateAddress": "elastic-ip",
    "ec2:CreateNatGateway": "natgateway",
    "ec2:CreateLaunchTemplate": "launch-template",
};

/** Calls that take no resource-level permission, or name no resource the scope owns. */
const ACCOUNT_WIDE = new Set([
    "eks:ListClusters",
    "eks:DescribeAddonVersions",
    "ecr:GetAuthorizationToken",
    "logs:DescribeLogGroups",
]);

/** What a deploy role does to its stack's KMS key through the key's policy, not its own. */
const KEY_POLICY_GRANTS = new Set([
    "kms:EnableKeyRotation",
    "kms:UpdateKeyDescription",
    "kms:PutKeyPolicy",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CreateGrant",
    "kms:RetireGrant",
]);

/** A security group may be tagged for a stack only while it carries none of these: AWS's default group has none. */
const UNTAGGED = ["stack", "Name", "aws:eks:cluster-name", "elbv2.k8s.aws/cluster"];

const uniq = (actions: string[]) => [...new Set(actions)].sort();

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
    const arn = (svc: string, rest: string) => `arn:${s.partition}:${svc}:${s.region}:${s.account}:${rest}`;
    const iamArn = (rest: string) => `arn:${s.partition}:iam::${s.account}:${rest}`;
    const tags = (key: string, operator = "StringEquals") => ({
        [operator]: Object.fromEntries(Object.entries(s.tags).map(([k, v]) => [`${key}/${k}`, v])),
    });
    const statements: Statement[] = [];
    let left = uniq(actions);
    /** Adds a statement of the actions left that `match` picks; they stay left for later statements if `keep`. */
    const add = (
        Sid: string,
        match: (a: string) => boolean,
        Resource: string | string[],
        Condition?: Statement["Condition"],
        keep = false,
    ) => {
        const picked = left.filter(match);
        if (picked.length)
            statements.push({
                Sid,
                Effect: "Allow",
                Action: picked,
                Resource,
                ...(Condition && { Condition }),
            });
        if (!keep) left = left.filter((a) => !match(a));
    };
    const is =
        (...names: string[]) =>
        (a: string) =>
            names.includes(a);
    const service = (prefix: string) => (a: string) => a.startsWith(`${prefix}:`);

    // Describe calls take no resource; DescribeVpcAttribute alone of them names its VPC.
    add(
        "NoResourceLevel",
        (a) =>
            ACCOUNT_WIDE.has(a) ||
            (a.startsWith("ec2:Describe") && a !== "ec2:DescribeVpcAttribute") ||
            a.startsWith("elasticloadbalancing:Describe"),
        "*",
    );

    // ---- EC2: created with the scope's tags, then changed only while it carries them ----
    const ec2Any = arn("ec2", "*");
    add(
        "CreateNetworkTaggedForThisStack",
        (a) => a in EC2_CREATES,
        uniq(Object.values(EC2_CREATES)).map((type) => arn("ec2", `${type}/*`)),
        tags("aws:RequestTag"),
        // The same calls also name existing resources (a subnet's VPC), allowed by their tags below.
        true,
    );
    add(
        "TagNetworkWhileCreatingIt",
        is("ec2:CreateTags"),
        ec2Any,
        {
            StringEquals: {
                ...tags("aws:RequestTag").StringEquals,
                "ec2:CreateAction": Object.keys(EC2_CREATES).map((a) => a.slice("ec2:".length)),
            },
        },
        true,
    );
    // AWS makes a VPC's default security group with no tag at all; the program tags it, then changes
    // its rules. A group EKS or the load balancer controller made carries their tags, and a named one
    // its Name: neither may be taken.
    add(
        "TagTheVpcsUntaggedDefaultSecurityGroup",
        is("ec2:CreateTags"),
        arn("ec2", "security-group/*"),
        {
            ...tags("aws:RequestTag"),
            Null: Object.fromEntries(UNTAGGED.map((key) => [`aws:ResourceTag/${key}`, "true"])),
        },
        true,
    );
    add("RetagOnlyWithinThisStack", is("ec2:CreateTags"), ec2Any, {
        ...tags("aws:ResourceTag"),
        ...tags("aws:RequestTag", "StringEqualsIfExists"),
    });
    add("ThisStacksNetwork", service("ec2"), ec2Any, tags("aws:ResourceTag"));

    // ---- EKS, ECR, CloudWatch Logs: the stack's own names ----
    add("CreateClusterTaggedForThisStack", is("eks:CreateCluster"), "*", tags("aws:RequestTag"));
    add("ThisStacksCluster", service("eks"), [
        arn("eks", `cluster/${s.clusterName}`),
        arn("eks", `nodegroup/${s.clusterName}/*`),
        arn("eks", `addon/${s.clusterName}/*`),
        arn("eks", `access-entry/${s.clusterName}/*`),
    ]);
    add("ThisStacksRepository", service("ecr"), arn("ecr", `repository/${s.clusterName}/*`));
    add("ThisStacksLogGroup", service("logs"), [
        arn("logs", `log-group:/aws/eks/${s.clusterName}/cluster`),
        arn("logs", `log-group:/aws/eks/${s.clusterName}/cluster:*`),
    ]);

    // ---- IAM: roles and OIDC providers tagged for the scope, roles within its boundary ----
    const roles = iamArn("role/*");
    const withinBoundary = { "iam:PermissionsBoundary": s.boundaryArn };
    const tagged = tags("aws:ResourceTag").StringEquals;
    const roleTagKeys = { "ForAllValues:StringEquals": { "aws:TagKeys": ROLE_TAG_KEYS } };
    add("CreateRolesWithTheBoundary", is("iam:CreateRole"), roles, {
        ...tags("aws:RequestTag"),
        ArnEquals: withinBoundary,
        ...roleTagKeys,
    });
    add(
        "ChangeThisStacksRolesWithinTheBoundary",
        is("iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"),
        roles,
        { StringEquals: tagged, ArnEquals: withinBoundary },
    );
    add("AttachOnlyTheseManagedPolicies", is("iam:AttachRolePolicy"), roles, {
        StringEquals: tagged,
        ArnEquals: { ...withinBoundary, "iam:PolicyARN": s.managedPolicyArns },
    });
    add("TagThisStacksRoles", is("iam:TagRole"), roles, {
        ...tags("aws:ResourceTag"),
        ...tags("aws:RequestTag", "StringEqualsIfExists"),
        ...roleTagKeys,
    });
    const oidcProviders = iamArn(`oidc-provider/oidc.eks.${s.region}.amazonaws.com/id/*`);
    add(
        "CreateOidcProvidersTaggedForThisStack",
        is("iam:CreateOpenIDConnectProvider"),
        oidcProviders,
        tags("aws:RequestTag"),
    );
    add("TagThisStacksOidcProviders", is("iam:TagOpenIDConnectProvider"), oidcProviders, {
        ...tags("aws:ResourceTag"),
        ...tags("aws:RequestTag", "StringEqualsIfExists"),
    });
    add(
        "ThisStacksOidcProviders",
        (a) => /OpenIDConnectProvider/.test(a),
        oidcProviders,
        tags("aws:ResourceTag"),
    );
    add("ThisStacksRoles", (a) => service("iam")(a) && a !== "iam:GetPolicy", roles, tags("aws:ResourceTag"));
    // The program checks the boundary exists before it registers anything.
    add("ReadTheBoundary", is("iam:GetPolicy"), s.boundaryArn);

    // ---- KMS: keys made with the scope's tags, read by them, changed by their own policy ----
    const keys = arn("kms", "key/*");
    add("CreateKeysTaggedForThisStack", is("kms:CreateKey"), "*", tags("aws:RequestTag"));
    // CreateKey's tags are authorized as a TagResource against every key of the region: the scope's
    // tags only, on a key carrying no other stack's. Tagging grants nothing else (below).
    add("TagKeysWhileCreatingThem", is("kms:TagResource"), keys, {
        ...tags("aws:RequestTag"),
        ...tags("aws:ResourceTag", "StringEqualsIfExists"),
    });
    // ECR encrypts the repository with its AWS managed key (aws/ecr), which carries no tags: the
    // grants it makes on it, on the caller's behalf.
    if (write)
        add(
            "EcrsManagedKeyThroughEcr",
            is("kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"),
            keys,
            {
                StringEquals: { "kms:ViaService": `ecr.${s.region}.amazonaws.com` },
                Null: { "aws:ResourceTag/stack": "true" },
            },
            true,
        );
    // What changes a key (its policy, rotation, grants, deletion) comes from the key's own policy,
    // which names the stack's deploy role (components/platform/cluster.ts): granted here by tag, any
    // key of the account the role had tagged would be its to change.
    if (write) left = left.filter((a) => !KEY_POLICY_GRANTS.has(a));
    add("ThisStacksKeys", service("kms"), keys, tags("aws:ResourceTag"));
    // ---- the public name: its certificate, by tag; its records, in its zone and under its name ----
    const names = s.publicNames.map((n) => n.hostname);
    if (names.length === 0) left = left.filter((a) => a !== "acm:RequestCertificate");
    if (names.length + s.retiredNames.length === 0)
        left = left.filter((a) => !service("acm")(a) && !service("route53")(a));
    // The tags are the request's own condition keys (no AddTagsToCertificate is asked of it): tagging
    // a certificate is then allowed only on the stack's own, so none of another can become its own.
    add("RequestCertificatesForThisStacksNames", is("acm:RequestCertificate"), "*", {
        StringEquals: { ...tags("aws:RequestTag").StringEquals, "acm:ValidationMethod": "DNS" },
        "ForAllValues:StringEquals": { "acm:DomainNames": names },
    });
    add("ThisStacksCertificates", service("acm"), arn("acm", "certificate/*"), tags("aws:ResourceTag"));
    const zoneArns = (of: PublicName[]) =>
        uniq(of.map((n) => `arn:${s.partition}:route53:::hostedzone/${n.hostedZoneId}`));
    // The name (the alias to the NLB) and ACM's validation record for it, `_<32 hex digits>.<name>`;
    // nothing else of the zone.
    const records = (of: PublicName[]) => ({
        "ForAllValues:StringLike": {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": of.flatMap((n) => [
                n.hostname,
                `_${"?".repeat(32)}.${n.hostname}`,
            ]),
        },
        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "CNAME"] },
    });
    const retired = s.retiredNames;
    const changes = is("route53:ChangeResourceRecordSets");
    if (names.length)
        add("ThisStacksRecords", changes, zoneArns(s.publicNames), records(s.publicNames), true);
    const formerRecords = records(retired);
    if (retired.length)
        add(
            "DeleteTheRecordsOfItsFormerNames",
            changes,
            zoneArns(retired),
            {
                ...formerRecords,
                "ForAllValues:StringEquals": {
                    ...formerRecords["ForAllValues:StringEquals"],
                    "route53:ChangeResourceRecordSetsActions": ["DELETE"],
                },
            },
            true,
        );
    left = left.filter((a) => !changes(a));
    const zones = zoneArns([...s.publicNames, ...retired]);
    add("ReadThisStacksZones", is("route53:GetHostedZone", "route53:ListResourceRecordSets"), zones);
    add("WaitForRecordChanges", is("route53:GetChange"), `arn:${s.partition}:route53:::change/*`);
    if (left.length) throw new Error(`no statement takes ${left.join(", ")}`);
    return statements;
}

/** Every action of the table: for a deploy role, reads and writes; for the read-only roles, reads. */
function tableActions(write: boolean): string[] {
    return uniq([
        ...Object.values(RESOURCE_ACTIONS).flatMap((a) => (write ? [...a.read, ...a.write] : a.read)),
        ...Object.values(LOOKUP_ACTIONS).flat(),
    ]);
}

/** The preview and drift roles' policy: read what the stacks registered, and make the program's lookups. */
export function readPolicy(scope: Scope): object {
    return { Version: "2012-10-17", Statement: scoped(tableActions(false), scope, false) };
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
        ...scoped(tableActions(true), s, true),
        {
            Sid: "ReadItself",
            Effect: "Allow",
            Action: ["iam:GetRole"],
            Resource: s.selfArn,
        },
        {
            Sid: "PassThisStacksRolesToEksAndEc2",
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: `arn:${s.partition}:iam::${s.account}:role/*`,
            Condition: {
                StringEquals: resourceTags,
                "ForAnyValue:StringEquals": {
                    "iam:PassedToService": ["eks.amazonaws.com", "ec2.amazonaws.com"],
                },
            },
        },
        {
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
        },
    ];
    const isIam = (st: Statement) => st.Action!.every((a) => a.startsWith("iam:"));
    return {
        iam: { Version: "2012-10-17", Statement: statements.filter(isIam) },
        inline: {
            Version: "2012-10-17",
            Statement: [...statements.filter((st) => !isIam(st)), ...guards(s)],
        },
    };
}

/** What no deploy role may do, whatever else allows it. */
function guards(s: DeployScope): Statement[] {
    return [
        {
            Sid: "NeverTheDeliveryRolesOrTheirPolicies",
            Effect: "Deny",
            NotAction: ["iam:Get*", "iam:List*"],
            Resource: s.protectedArns,
        },
        {
            Sid: "NoRoleWithoutTheBoundary",
            Effect: "Deny",
            Action: [
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "iam:AttachRolePolicy",
                "iam:PutRolePermissionsBoundary",
            ],
            Resource: "*",
            Condition: { ArnNotEquals: { "iam:PermissionsBoundary": s.boundaryArn } },
        },
        {
            Sid: "NoBoundaryRemoved",
            Effect: "Deny",
            Action: ["iam:DeleteRolePermissionsBoundary"],
            Resource: "*",
        },
        {
            Sid: "NoRoleChaining",
            Effect: "Deny",
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Resource: "*",
        },
        {
            // EC2 deletes every tag of a resource when the call names none.
            Sid: "NoTagsRemovedWholesale",
            Effect: "Deny",
            Action: ["ec2:DeleteTags"],
            Resource: "*",
            Condition: { Null: { "aws:TagKeys": "true" } },
        },
        {
            Sid: "NeverRemoveTheStackTags",
            Effect: "Deny",
            Action: [
                "ec2:DeleteTags",
                "iam:UntagRole",
                "iam:UntagOpenIDConnectProvider",
                "kms:UntagResource",
            ],
            Resource: "*",
            Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": Object.keys(s.tags) } },
        },
        {
            Sid: "NoKeyLockedAgainstTheAccount",
            Effect: "Deny",
            Action: ["kms:CreateKey", "kms:PutKeyPolicy"],
            Resource: "*",
            Condition: { Bool: { "kms:BypassPolicyLockoutSafetyCheck": "true" } },
        },
    ];
}
