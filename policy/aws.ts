import * as aws from "@pulumi/aws";
import {
    PolicyConfigSchema,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { parseJson } from "../config/reader";

/** Pack config of the public-endpoint rule: whether this stack is production. */
export interface ProductionConfig {
    production?: boolean;
}

/** Its schema: the engine fills in the default and checks the type before any rule runs. */
export const PRODUCTION_CONFIG_SCHEMA: PolicyConfigSchema = {
    properties: { production: { type: "boolean", default: false } },
};

const REQUIRED_LOGS = ["api", "audit", "authenticator"];

export const eksSecretsEncryption: ResourceValidationPolicy = {
    name: "eks-secrets-encryption",
    description: "EKS clusters encrypt Kubernetes secrets with a KMS key.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, _args, report) => {
        const config = cluster.encryptionConfig;
        if (!config?.resources?.includes("secrets") || !config.provider?.keyArn) {
            report("encryptionConfig must name a KMS key and include the 'secrets' resource.");
        }
    }),
};

export const eksControlPlaneLogs: ResourceValidationPolicy = {
    name: "eks-control-plane-logs",
    description: "EKS clusters send the api, audit and authenticator logs to CloudWatch.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, _args, report) => {
        const missing = REQUIRED_LOGS.filter((t) => !cluster.enabledClusterLogTypes?.includes(t));
        if (missing.length) report(`enabledClusterLogTypes lacks ${missing.join(", ")}.`);
    }),
};

export const eksPrivateEndpoint: ResourceValidationPolicy = {
    name: "eks-private-endpoint",
    description: "EKS clusters have their private API endpoint on, so nodes reach it inside the VPC.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, _args, report) => {
        if (cluster.vpcConfig?.endpointPrivateAccess !== true)
            report("vpcConfig.endpointPrivateAccess must be true.");
    }),
};

export const eksPublicEndpointRestricted: ResourceValidationPolicy = {
    name: "eks-public-endpoint-restricted",
    description: "In production, the public EKS API endpoint is off or not open to 0.0.0.0/0.",
    enforcementLevel: "mandatory",
    configSchema: PRODUCTION_CONFIG_SCHEMA,
    validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, args, report) => {
        if (!args.getConfig<ProductionConfig>().production) return;
        const vpc = cluster.vpcConfig;
        // EKS defaults: the public endpoint on, open to 0.0.0.0/0.
        const publicOn = vpc?.endpointPublicAccess ?? true;
        const cidrs = vpc?.publicAccessCidrs ?? ["0.0.0.0/0"];
        if (publicOn && cidrs.includes("0.0.0.0/0")) {
            report(
                "the public API endpoint is open to 0.0.0.0/0; list the CIDRs that need it, or turn it off.",
            );
        }
    }),
};

export const nodeGroupPrivateSubnets: StackValidationPolicy = {
    name: "eks-nodes-in-private-subnets",
    description: "Managed node groups use only subnets that do not map public IPs on launch.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const group of args.resources.filter((r) => r.isType(aws.eks.NodeGroup))) {
            // The subnets (or default subnets) this stack manages are checked; adopted ones (plain ids)
            // cannot be seen from here.
            for (const subnet of group.propertyDependencies.subnetIds ?? []) {
                // Unset, a subnet maps no public IPs and a default subnet does (the provider's defaults).
                const mapsPublicIps =
                    subnet.props.mapPublicIpOnLaunch ?? subnet.isType(aws.ec2.DefaultSubnet);
                if (mapsPublicIps === true) {
                    report(
                        `node group ${group.name} uses subnet ${subnet.name}, which maps public IPs on launch.`,
                        group.urn,
                    );
                }
            }
        }
    },
};

export const launchTemplateImdsV2: ResourceValidationPolicy = {
    name: "launch-template-imdsv2",
    description: "Launch templates require IMDSv2 session tokens.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ec2.LaunchTemplate, (lt, _args, report) => {
        if (lt.metadataOptions?.httpTokens !== "required")
            report('metadataOptions.httpTokens must be "required".');
    }),
};

export const nodeVolumesEncrypted: ResourceValidationPolicy = {
    name: "node-volumes-encrypted",
    description:
        "Node volumes are encrypted: every launch template block device, and no node group without a launch template.",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(aws.ec2.LaunchTemplate, (lt, _args, report) => {
            // Stryker disable next-line ArrayDeclaration: a list of one string has no EBS device either.
            for (const device of lt.blockDeviceMappings ?? []) {
                if (device.ebs && String(device.ebs.encrypted) !== "true") {
                    report(`block device ${device.deviceName} is not encrypted.`);
                }
            }
        }),
        validateResourceOfType(aws.eks.NodeGroup, (group, _args, report) => {
            if (!group.launchTemplate)
                report("a node group without a launch template gets an unencrypted root volume by default.");
        }),
    ],
};

export const ecrScanOnPush: ResourceValidationPolicy = {
    name: "ecr-scan-on-push",
    description: "ECR repositories scan images on push.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecr.Repository, (repo, _args, report) => {
        if (repo.imageScanningConfiguration?.scanOnPush !== true)
            report("imageScanningConfiguration.scanOnPush must be true.");
    }),
};

export const ecrImmutableTags: ResourceValidationPolicy = {
    name: "ecr-immutable-tags",
    description: "ECR repositories have immutable tags, so a tag always names the same image.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.ecr.Repository, (repo, _args, report) => {
        if (repo.imageTagMutability !== "IMMUTABLE") report("imageTagMutability must be IMMUTABLE.");
    }),
};

export const kmsKeyRotation: ResourceValidationPolicy = {
    name: "kms-key-rotation",
    description: "Symmetric KMS keys rotate yearly.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.kms.Key, (key, _args, report) => {
        const symmetric = (key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT";
        if (symmetric && key.enableKeyRotation !== true) report("enableKeyRotation must be true.");
    }),
};

interface Statement {
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
}

/** True for an Allow statement with Action "*" on Resource "*": administrator access. */
export function grantsEverything(document: unknown): boolean {
    const parsed = typeof document === "string" ? parseJson(document) : document;
    const statements = (parsed as { Statement?: Statement | Statement[] } | undefined)?.Statement;
    // Stryker disable next-line ArrayDeclaration: a list holding a string has no Allow statement either.
    const list = ([] as Statement[]).concat(statements ?? []);
    const has = (v: string | string[] | undefined) => (Array.isArray(v) ? v : [v]).includes("*");
    return list.some((s) => s.Effect === "Allow" && has(s.Action) && has(s.Resource));
}

export const iamNoWildcardAdmin: ResourceValidationPolicy = {
    name: "iam-no-wildcard-admin",
    description:
        'No IAM policy allows "Action": "*" on "Resource": "*", and no AdministratorAccess attachment.',
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(aws.iam.Policy, (p, _args, report) => {
            if (grantsEverything(p.policy)) report('the policy allows "*" on "*".');
        }),
        validateResourceOfType(aws.iam.RolePolicy, (p, _args, report) => {
            if (grantsEverything(p.policy)) report('the inline policy allows "*" on "*".');
        }),
        validateResourceOfType(aws.iam.Role, (role, _args, report) => {
            // Stryker disable next-line ArrayDeclaration: a list of one string has no policy to grant anything.
            for (const inline of role.inlinePolicies ?? []) {
                if (grantsEverything(inline.policy))
                    report(`inline policy ${inline.name} allows "*" on "*".`);
            }
        }),
        validateResourceOfType(aws.iam.RolePolicyAttachment, (a, _args, report) => {
            if (/:policy\/AdministratorAccess$/.test(String(a.policyArn)))
                report("AdministratorAccess is attached.");
        }),
    ],
};

export const awsPolicies = [
    eksSecretsEncryption,
    eksControlPlaneLogs,
    eksPrivateEndpoint,
    eksPublicEndpointRestricted,
    nodeGroupPrivateSubnets,
    launchTemplateImdsV2,
    nodeVolumesEncrypted,
    ecrScanOnPush,
    ecrImmutableTags,
    kmsKeyRotation,
    iamNoWildcardAdmin,
];
