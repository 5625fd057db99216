// A role's EKS, ECR and CloudWatch Logs statements: the stack's own names, which its cluster's name
// gives them all.
import { Scope, scopeTerms } from "./scope";
import { Sorter, is, service } from "./statements";

/** The scope's cluster (created tagged for it), with its node groups, add-ons and access entries, its repository and log group. */
export function allowCluster(sort: Sorter, s: Scope): void {
    const { arn, tags } = scopeTerms(s);
    sort.add("CreateClusterTaggedForThisStack", is("eks:CreateCluster"), "*", tags("aws:RequestTag"));
    sort.add("ThisStacksCluster", service("eks"), [
        arn("eks", `cluster/${s.clusterName}`),
        arn("eks", `nodegroup/${s.clusterName}/*`),
        arn("eks", `addon/${s.clusterName}/*`),
        arn("eks", `access-entry/${s.clusterName}/*`),
    ]);
    sort.add("ThisStacksRepository", service("ecr"), arn("ecr", `repository/${s.clusterName}/*`));
    sort.add("ThisStacksLogGroup", service("logs"), [
        arn("logs", `log-group:/aws/eks/${s.clusterName}/cluster`),
        arn("logs", `log-group:/aws/eks/${s.clusterName}/cluster:*`),
    ]);
}
