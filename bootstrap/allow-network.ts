// A role's EC2 statements: the network is created with the scope's tags (aws:RequestTag), then
// changed only while it carries them (aws:ResourceTag).
import { Scope, scopeTerms } from "./scope";
import { Sorter, is, service, uniq } from "./statements";

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

/** A security group may be tagged for a stack only while it carries none of these: AWS's default group has none. */
const UNTAGGED = ["stack", "Name", "aws:eks:cluster-name", "elbv2.k8s.aws/cluster"];

/** The scope's network: created tagged for it, tagged only within it, changed only while tagged for it. */
export function allowNetwork(sort: Sorter, s: Scope): void {
    const { arn, tags } = scopeTerms(s);
    const ec2Any = arn("ec2", "*");
    sort.add(
        "CreateNetworkTaggedForThisStack",
        (a) => a in EC2_CREATES,
        uniq(Object.values(EC2_CREATES)).map((type) => arn("ec2", `${type}/*`)),
        tags("aws:RequestTag"),
        // The same calls also name existing resources (a subnet's VPC), allowed by their tags below.
        true,
    );
    sort.add(
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
    sort.add(
        "TagTheVpcsUntaggedDefaultSecurityGroup",
        is("ec2:CreateTags"),
        arn("ec2", "security-group/*"),
        {
            ...tags("aws:RequestTag"),
            Null: Object.fromEntries(UNTAGGED.map((key) => [`aws:ResourceTag/${key}`, "true"])),
        },
        true,
    );
    sort.add("RetagOnlyWithinThisStack", is("ec2:CreateTags"), ec2Any, {
        ...tags("aws:ResourceTag"),
        ...tags("aws:RequestTag", "StringEqualsIfExists"),
    });
    sort.add("ThisStacksNetwork", service("ec2"), ec2Any, tags("aws:ResourceTag"));
}
