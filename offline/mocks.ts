import * as pulumi from "@pulumi/pulumi";
import { hex } from "./hex";
import { RolledBack, kubernetesState } from "./kubemocks";

/** The account the mocks pretend to run in, and the role the deployer's session came from. */
export const MOCK_ACCOUNT = "123456789012";
export const MOCK_DEPLOYER_ROLE = `arn:aws:iam::${MOCK_ACCOUNT}:role/deployer`;

/**
 * Mocks that answer like AWS and Kubernetes would after a successful `pulumi up`: ids of the right
 * shape, ARNs, the cluster's endpoint, CA and OIDC issuer, and every invoke the program makes. An
 * invoke they do not know fails loudly, so a new data source cannot slip in untested.
 */
/** What exists in the mocked account before the run: by default nothing (a first up). */
export interface ExistingAws {
    /** Control-plane log groups left behind (by a destroy, or made by EKS). */
    logGroups?: string[];
    /** The stack's cluster, with its one node group's live scaling; no scaling: no node group yet. */
    cluster?: { name: string; nodeScaling?: { minSize: number; desiredSize: number; maxSize: number } };
    /** IAM policies that do not exist (every other ARN a lookup names does). */
    missingPolicies?: string[];
    /** Other stacks' outputs, as a StackReference reads them, by org/project/stack; others have none. */
    stacks?: Record<string, StackOutputs>;
    /**
     * A release the canary controller rolled back: the Rollout's status then, and the AnalysisRuns'
     * statuses by name. Otherwise every Rollout is Healthy.
     */
    rolledBack?: RolledBack;
}

/** A stack's outputs, unwrapped, and the names of those that are secrets. */
export interface StackOutputs {
    outputs: Record<string, unknown>;
    secretOutputNames: string[];
}

export function awsMocks(region: string, existing: ExistingAws = {}): pulumi.runtime.Mocks {
    const arn = (service: string, resource: string) =>
        `arn:aws:${service}:${region}:${MOCK_ACCOUNT}:${resource}`;
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
            const inputs = args.inputs;
            const suffix = hex(`${args.type}::${args.name}`, 17);
            const physicalName = inputs.name ?? `${args.name}-${suffix.slice(0, 7)}`;
            const state: Record<string, unknown> = { ...inputs };
            let id = `${args.name}-${suffix.slice(0, 8)}`;
            switch (args.type) {
                case "aws:ec2/vpc:Vpc":
                    id = `vpc-${suffix}`;
                    break;
                case "aws:ec2/subnet:Subnet":
                    id = `subnet-${suffix}`;
                    break;
                case "aws:ec2/natGateway:NatGateway":
                    id = `nat-${suffix}`;
                    break;
                case "aws:ec2/launchTemplate:LaunchTemplate":
                    id = `lt-${suffix}`;
                    state.latestVersion = 1;
                    break;
                case "aws:iam/role:Role":
                    state.name = physicalName;
                    state.arn = `arn:aws:iam::${MOCK_ACCOUNT}:role/${physicalName}`;
                    id = physicalName;
                    break;
                case "aws:kms/key:Key":
                    id = `${suffix.slice(0, 8)}-${suffix.slice(8, 12)}-4${suffix.slice(12, 15)}`;
                    state.arn = arn("kms", `key/${id}`);
                    break;
                case "aws:eks/cluster:Cluster":
                    id = physicalName;
                    state.name = physicalName;
                    state.arn = arn("eks", `cluster/${physicalName}`);
                    state.endpoint = `https://${hex(physicalName, 32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`;
                    state.certificateAuthority = {
                        data: Buffer.from(`mock CA of ${physicalName}`).toString("base64"),
                    };
                    state.identities = [
                        {
                            oidcs: [
                                {
                                    issuer: `https://oidc.eks.${region}.amazonaws.com/id/${hex(physicalName, 32)}`,
                                },
                            ],
                        },
                    ];
                    break;
                case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
                    const url = String(inputs.url).replace(/^https:\/\//, "");
                    state.url = url;
                    state.arn = `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/${url}`;
                    id = state.arn as string;
                    break;
                }
                case "aws:ecr/repository:Repository":
                    id = physicalName;
                    state.name = physicalName;
                    state.registryId = MOCK_ACCOUNT;
                    state.repositoryUrl = `${MOCK_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${physicalName}`;
                    state.arn = arn("ecr", `repository/${physicalName}`);
                    break;
                case "docker:index/image:Image": {
                    const imageName = String(inputs.imageName);
                    // The repository is the name without its tag (a registry's port stays).
                    state.repoDigest = `${imageName.replace(/:[^:/]+$/, "")}@sha256:${hex(JSON.stringify(inputs), 64)}`;
                    id = state.repoDigest as string;
                    break;
                }
                case "aws:acm/certificate:Certificate":
                    // ACM's validation record for a DNS-validated name: a CNAME under the name.
                    state.arn = arn(
                        "acm",
                        `certificate/${suffix.slice(0, 8)}-${suffix.slice(8, 12)}-4${suffix.slice(12, 15)}`,
                    );
                    state.domainValidationOptions = [
                        {
                            domainName: inputs.domainName,
                            resourceRecordName: `_${hex(`name ${inputs.domainName}`, 32)}.${inputs.domainName}.`,
                            resourceRecordType: "CNAME",
                            resourceRecordValue: `_${hex(`value ${inputs.domainName}`, 32)}.acm-validations.aws.`,
                        },
                    ];
                    break;
                case "aws:route53/record:Record":
                    state.fqdn = String(inputs.name).replace(/\.$/, "");
                    break;
                case "pulumi:pulumi:StackReference": {
                    // As the engine reads a stack that does not exist or has no outputs: none.
                    const stack = existing.stacks?.[inputs.name];
                    state.outputs = stack?.outputs ?? {};
                    state.secretOutputNames = stack?.secretOutputNames ?? [];
                    id = inputs.name;
                    break;
                }
                default: {
                    const kubernetes = kubernetesState(args, region, existing.rolledBack);
                    if (kubernetes) return kubernetes;
                    state.arn ??= arn(args.type.split(":")[1].split("/")[0], `${args.name}/${id}`);
                }
            }
            return { id, state };
        },

        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            switch (args.token) {
                case "aws:index/getPartition:getPartition":
                    return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
                case "aws:index/getRegion:getRegion":
                    return { name: region, region, id: region };
                case "aws:index/getAvailabilityZones:getAvailabilityZones": {
                    const letters = ["a", "b", "c", "d", "e", "f"];
                    return {
                        names: letters.map((l) => `${region}${l}`),
                        zoneIds: letters.map((_, i) => `${region.slice(0, 3)}${region.slice(-1)}-az${i + 1}`),
                        id: region,
                    };
                }
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return {
                        accountId: MOCK_ACCOUNT,
                        arn: `arn:aws:sts::${MOCK_ACCOUNT}:assumed-role/deployer/session-1`,
                        userId: "AROAEXAMPLE:session-1",
                        id: MOCK_ACCOUNT,
                    };
                case "aws:iam/getSessionContext:getSessionContext": {
                    // As IAM answers: an assumed-role session's role; any other ARN is its own issuer.
                    const session = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/(.+)$/.exec(
                        String(args.inputs.arn),
                    );
                    if (!args.inputs.arn) throw new Error("getSessionContext: arn is required");
                    return {
                        arn: args.inputs.arn,
                        issuerArn: session
                            ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`
                            : args.inputs.arn,
                        issuerName: session?.[3] ?? "",
                        sessionName: session?.[4] ?? "",
                        id: args.inputs.arn,
                    };
                }
                case "aws:cloudwatch/getLogGroups:getLogGroups":
                    return {
                        ...args.inputs,
                        logGroupNames: (existing.logGroups ?? []).filter((n) =>
                            n.startsWith(args.inputs.logGroupNamePrefix),
                        ),
                        arns: [],
                        id: region,
                    };
                case "aws:eks/getClusters:getClusters":
                    return { names: existing.cluster ? [existing.cluster.name] : [], id: region };
                case "aws:eks/getNodeGroups:getNodeGroups":
                    return {
                        ...args.inputs,
                        names: existing.cluster?.nodeScaling ? ["nodes-0123abc"] : [],
                        id: args.inputs.clusterName,
                    };
                case "aws:eks/getNodeGroup:getNodeGroup":
                    return {
                        ...args.inputs,
                        scalingConfigs: [existing.cluster!.nodeScaling],
                        id: args.inputs.nodeGroupName,
                    };
                case "aws:ec2/getVpc:getVpc":
                    // An adopted VPC, as the tests give it: the shape AWS answers with.
                    return {
                        ...args.inputs,
                        cidrBlock: "172.31.0.0/16",
                        cidrBlockAssociations: [
                            {
                                associationId: "vpc-cidr-assoc-1",
                                cidrBlock: "172.31.0.0/16",
                                state: "associated",
                            },
                            {
                                associationId: "vpc-cidr-assoc-2",
                                cidrBlock: "100.64.0.0/16",
                                state: "associated",
                            },
                        ],
                    };
                case "aws:ec2/getSubnet:getSubnet": {
                    // A subnet of an adopted VPC, as the tests give it: a /20 of 172.31.0.0/16 per id.
                    const n = [...String(args.inputs.id)].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 16;
                    return { ...args.inputs, cidrBlock: `172.31.${n * 16}.0/20` };
                }
                case "aws:eks/getAddonVersion:getAddonVersion":
                    // EKS's default build of an add-on for a Kubernetes minor (a made-up one here).
                    return { ...args.inputs, id: args.inputs.addonName, version: "v9.9.9-eksbuild.1" };
                case "github:index/getRepository:getRepository":
                    // The repository whose workflows deploy, as the bootstrap looks up its id.
                    return { ...args.inputs, repoId: 987654321, id: args.inputs.fullName };
                case "aws:iam/getPolicy:getPolicy":
                    // A managed policy of the account or AWS's, by ARN: one read statement here.
                    if (existing.missingPolicies?.includes(args.inputs.arn))
                        throw new Error(`reading IAM Policy (${args.inputs.arn}): NoSuchEntity: 404`);
                    return {
                        ...args.inputs,
                        name: String(args.inputs.arn).split("/").pop(),
                        policy: JSON.stringify({
                            Version: "2012-10-17",
                            Statement: { Effect: "Allow", Action: "s3:GetObject", Resource: "*" },
                        }),
                        id: args.inputs.arn,
                    };
                case "github:index/getTeam:getTeam":
                    // A team of the repository's owner, as the bootstrap program looks it up by slug.
                    return { ...args.inputs, id: `${[...String(args.inputs.slug)].length}4211` };
                case "aws:lb/getLoadBalancer:getLoadBalancer": {
                    // The load balancer the Load Balancer Controller made, found by its tags.
                    const tags = args.inputs.tags as Record<string, string>;
                    const name = `k8s-${hex(JSON.stringify(tags), 20)}`;
                    // An IngressGroup's is an ALB; a Service's an NLB.
                    const alb = "ingress.k8s.aws/stack" in tags;
                    return {
                        ...args.inputs,
                        arn: arn(
                            "elasticloadbalancing",
                            `loadbalancer/${alb ? "app" : "net"}/${name}/${hex(name, 16)}`,
                        ),
                        dnsName: `${name}-${hex(name, 16)}.elb.${region}.amazonaws.com`,
                        // The load balancers' hosted zone in the region (the ELB endpoints table); made up here.
                        zoneId: alb ? "ZMOCKALB0000000" : "ZMOCKNLB0000000",
                        loadBalancerType: alb ? "application" : "network",
                        id: name,
                    };
                }
                case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
                    return {
                        userName: "AWS",
                        password: "mock-ecr-password",
                        proxyEndpoint: `https://${MOCK_ACCOUNT}.dkr.ecr.${region}.amazonaws.com`,
                        authorizationToken: Buffer.from("AWS:mock-ecr-password").toString("base64"),
                        id: region,
                    };
                default:
                    throw new Error(
                        `the mocks do not answer the invoke ${args.token}; add it to offline/mocks.ts`,
                    );
            }
        },
    };
}
