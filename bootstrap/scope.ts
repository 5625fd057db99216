// What a delivery role's policy covers (one stack's resources, or every stack's for the read-only
// roles), the statements it is made of, and the ARNs and tag conditions a scope names them by. A leaf
// of the policies (permissions.ts and the allow-*.ts and denies.ts it composes): imports only a type.
import type { PublicName } from "./stackfiles";

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
    /**
     * An app stack's: its platform's cluster, on which it makes its Pod Identity association and
     * nothing else. Such a scope has no cluster, network or key of its own.
     */
    platformClusterName?: string;
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

/**
 * The scope's ARNs, in its partition, region and account, and its tags as a condition on `key`
 * (aws:RequestTag, aws:ResourceTag) under `operator`.
 */
export function scopeTerms(s: Scope) {
    return {
        arn: (svc: string, rest: string) => `arn:${s.partition}:${svc}:${s.region}:${s.account}:${rest}`,
        iamArn: (rest: string) => `arn:${s.partition}:iam::${s.account}:${rest}`,
        tags: (key: string, operator = "StringEquals") => ({
            [operator]: Object.fromEntries(Object.entries(s.tags).map(([k, v]) => [`${key}/${k}`, v])),
        }),
    };
}
