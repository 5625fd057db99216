// A role's EKS, ECR and CloudWatch Logs statements: the stack's own names, which its cluster's name
// gives them all.
import { Scope, scopeTerms } from "./scope";
import { Sorter, is, service } from "./statements";

/** The scope's cluster (created tagged for it), with its node groups, add-ons and access entries, its repository and log group. */
export function allowCluster(sort: Sorter, s: Scope): void {
    const { arn, tags } = scopeTerms(s);
    if (s.platformClusterName) {
        // An app stack's association on its platform's cluster, made with its tags and changed by
        // them. IAM has no condition key for the association's namespace; the role's trust policy
        // names it (components/platform/trust.ts).
        const platform = s.platformClusterName;
        sort.add(
            "PodIdentityOnThePlatformsClusterTaggedForThisStack",
            is("eks:CreatePodIdentityAssociation"),
            arn("eks", `cluster/${platform}`),
            tags("aws:RequestTag"),
        );
        sort.add(
            "ThisStacksPodIdentityAssociations",
            is(
                "eks:DescribePodIdentityAssociation",
                "eks:UpdatePodIdentityAssociation",
                "eks:DeletePodIdentityAssociation",
                "eks:TagResource",
                "eks:UntagResource",
            ),
            arn("eks", `podidentityassociation/${platform}/*`),
            tags("aws:ResourceTag"),
        );
    }
    sort.add("CreateClusterTaggedForThisStack", is("eks:CreateCluster"), "*", tags("aws:RequestTag"));
    sort.add("ThisStacksCluster", service("eks"), [
        arn("eks", `cluster/${s.clusterName}`),
        arn("eks", `nodegroup/${s.clusterName}/*`),
        arn("eks", `addon/${s.clusterName}/*`),
        arn("eks", `access-entry/${s.clusterName}/*`),
        arn("eks", `podidentityassociation/${s.clusterName}/*`),
    ]);
    sort.add("ThisStacksRepository", service("ecr"), arn("ecr", `repository/${s.clusterName}/*`));
    sort.add("ThisStacksLogGroup", service("logs"), [
        arn("logs", `log-group:/aws/eks/${s.clusterName}/cluster`),
        arn("logs", `log-group:/aws/eks/${s.clusterName}/cluster:*`),
    ]);
}
