import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { movedUnderComponent } from "../../migrations";

/**
 * The IAM principal behind the current credentials. An assumed-role session
 * (arn:aws:sts::…:assumed-role/R/session) maps back to its role, path included, because access entries
 * take the role, not the session.
 */
async function deployerArn(opts: pulumi.InvokeOptions): Promise<string> {
    const caller = await aws.getCallerIdentity({}, opts);
    const context = await aws.iam.getSessionContext({ arn: caller.arn }, opts);
    return context.issuerArn;
}

/**
 * Who gets cluster-admin access entries. With admins named (the delivery roles' deploy role, or
 * adminRoleArns), exactly those, whoever runs the program: a pull request's preview (as the read-only
 * role) then shows the same entries as the deploy that follows, and an `up` by a principal not among
 * them is refused, since it would lock itself out of the cluster. With none, whoever runs `pulumi up`
 * (a laptop's first stack).
 */
export async function adminPrincipals(
    adminRoleArns: string[],
    opts: pulumi.InvokeOptions,
    deployRoleArn?: string,
): Promise<string[]> {
    const admins = [...(deployRoleArn ? [deployRoleArn] : []), ...adminRoleArns];
    if (admins.length === 0) return [await deployerArn(opts)];
    if (pulumi.runtime.isDryRun()) return admins;
    const deployer = await deployerArn(opts);
    if (!admins.includes(deployer))
        throw new Error(
            `adminRoleArns: got ${JSON.stringify(adminRoleArns)}, expected it to hold ${deployer}, which runs this pulumi up${deployRoleArn ? ` (besides the deploy role ${deployRoleArn})` : ""}: without an access entry it could not reach the cluster it deploys to`,
        );
    return admins;
}

export interface ClusterAccessArgs {
    cluster: aws.eks.Cluster;
    /** Cluster admins (adminPrincipals). */
    adminPrincipalArns: string[];
    /** Read-only access. */
    viewerRoleArns: string[];
    /**
     * IAM roles that refresh the stack (the drift check's): read-only access, and the Kubernetes group
     * that may read by name the few objects of the stack the view policy does not.
     */
    refreshers: { roleArns: string[]; group: string };
    partition: pulumi.Input<string>;
}

/** The cluster's access entries: one per principal, with its EKS access policy. */
export class ClusterAccess extends pulumi.ComponentResource {
    /** The admins' policy associations: the first call to the cluster waits for them. */
    readonly admins: aws.eks.AccessPolicyAssociation[];

    constructor(name: string, args: ClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:ClusterAccess", name, {}, opts);
        const child = { parent: this, ...movedUnderComponent(opts?.parent) };
        const cluster = { clusterName: args.cluster.name, partition: args.partition };
        this.admins = accessEntries(cluster, args.adminPrincipalArns, ADMIN, child);
        // An admin can already read; EKS allows one access entry per principal.
        const notAdmin = (arn: string) => !args.adminPrincipalArns.includes(arn);
        const refreshers = args.refreshers.roleArns.filter(notAdmin);
        const viewers = args.viewerRoleArns.filter((arn) => notAdmin(arn) && !refreshers.includes(arn));
        accessEntries(cluster, viewers, VIEWER, child);
        accessEntries(cluster, refreshers, { ...VIEWER, groups: [args.refreshers.group] }, child);
        this.registerOutputs({});
    }
}

/** The EKS access policies the stack grants, and the prefix of their entries' names. */
const ADMIN = { prefix: "admin", policy: "AmazonEKSClusterAdminPolicy" };
const VIEWER = { prefix: "view", policy: "AmazonEKSViewPolicy" };

/** What an access entry grants: an EKS access policy, cluster-wide or in some namespaces only. */
export interface Grant {
    /** The entries' names begin with it. */
    prefix: string;
    policy: string;
    groups?: string[];
    namespaces?: pulumi.Input<string>[];
}

/**
 * An access entry with `access.policy` for each principal, named by account and role so names stay
 * stable. EKS holds one entry per principal and cluster.
 */
export function accessEntries(
    { clusterName, partition }: { clusterName: pulumi.Input<string>; partition: pulumi.Input<string> },
    principalArns: string[],
    access: Grant,
    opts: pulumi.CustomResourceOptions,
): aws.eks.AccessPolicyAssociation[] {
    return [...new Set(principalArns)].map((principalArn) => {
        const [, , , , account, resource] = principalArn.split(":");
        const id = `${account}-${resource.split("/").pop()}`;
        const entry = new aws.eks.AccessEntry(
            `${access.prefix}-${id}`,
            { clusterName, principalArn, type: "STANDARD", kubernetesGroups: access.groups },
            opts,
        );
        return new aws.eks.AccessPolicyAssociation(
            `${access.prefix}-${id}`,
            {
                clusterName,
                principalArn,
                policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/${access.policy}`,
                accessScope: access.namespaces
                    ? { type: "namespace", namespaces: access.namespaces }
                    : { type: "cluster" },
            },
            { ...opts, dependsOn: [entry] },
        );
    });
}

export interface TenantAccessArgs {
    clusterName: pulumi.Input<string>;
    partition: pulumi.Input<string>;
    /** The roles that deploy the tenant's app. */
    deployRoleArns: string[];
    /** The roles that preview it: they read the namespace, no Secret. Default: none. */
    viewerRoleArns?: string[];
    namespace: pulumi.Input<string>;
}

/**
 * A tenant's deploy roles' access entries, each with EKS's edit policy in the tenant's namespace and
 * nowhere else: the app's objects, Secrets and NetworkPolicies; no RBAC, no quota, no namespace. Its
 * preview roles' with the view policy there: no Secret.
 */
export class TenantAccess extends pulumi.ComponentResource {
    constructor(name: string, args: TenantAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:TenantAccess", name, {}, opts);
        const namespaces = [args.namespace];
        accessEntries(
            args,
            args.deployRoleArns,
            { prefix: `${name}-edit`, policy: "AmazonEKSEditPolicy", namespaces },
            { parent: this },
        );
        accessEntries(
            args,
            args.viewerRoleArns ?? [],
            { prefix: `${name}-view`, policy: "AmazonEKSViewPolicy", namespaces },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
