import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { ProductionConfig } from "./aws";

/** Tags every stack's AWS resources should carry, through the provider's default tags. */
export const REQUIRED_TAGS = ["project", "stack", "managed-by"];

export const defaultTags: ResourceValidationPolicy = {
    name: "aws-default-tags",
    description: `AWS providers set default tags ${REQUIRED_TAGS.join(", ")}, so every resource is attributable in the bill.`,
    enforcementLevel: "advisory",
    validateResource: (args, report) => {
        if (args.type !== "pulumi:providers:aws") return;
        // A provider's object-valued settings reach the engine as JSON strings.
        const raw = args.props.defaultTags;
        const tags = (typeof raw === "string" ? JSON.parse(raw) : raw)?.tags ?? {};
        const missing = REQUIRED_TAGS.filter((t) => !(t in tags));
        if (missing.length) report(`defaultTags lacks ${missing.join(", ")}.`);
    },
};

export const standardSupport: ResourceValidationPolicy = {
    name: "eks-standard-support",
    description:
        "EKS clusters use standard support; extended support bills six times the control-plane price.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, _args, report) => {
        if (cluster.upgradePolicy?.supportType !== "STANDARD")
            report("upgradePolicy.supportType is not STANDARD.");
    }),
};

export const natOutsideProduction: StackValidationPolicy = {
    name: "cost-nat-gateways-outside-production",
    description:
        "Outside production, one NAT gateway is usually enough: each costs about $33 a month before data.",
    enforcementLevel: "advisory",
    configSchema: { properties: { production: { type: "boolean", default: false } } },
    validateStack: (args, report) => {
        if (args.getConfig<ProductionConfig>().production) return;
        const nats = args.resources.filter((r) => r.isType(aws.ec2.NatGateway));
        if (nats.length > 1)
            report(`${nats.length} NAT gateways in a non-production stack; natGateways: single would do.`);
    },
};

export const advisoryPolicies = [defaultTags, standardSupport, natOutsideProduction];
