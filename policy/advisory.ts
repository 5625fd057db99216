import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { KUBERNETES_VERSIONS, RUNWAY_WARNING_DAYS, runway } from "../domain/versions";
import { PRODUCTION_CONFIG_SCHEMA, ProductionConfig } from "./aws";

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

/** The runway rule as of `today` (a parameter, so its tests do not depend on the day they run). */
export const supportRunwayOn = (today: Date): ResourceValidationPolicy => ({
    name: "eks-kubernetes-support-runway",
    description: `The cluster's Kubernetes version has at least ${RUNWAY_WARNING_DAYS} days of standard support left (domain/versions.ts).`,
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.eks.Cluster, (cluster, _args, report) => {
        const row = KUBERNETES_VERSIONS[String(cluster.version)];
        if (!row) return report(`Kubernetes ${cluster.version} has no row in domain/versions.ts.`);
        const now = runway(row, today);
        if (now.phase !== "standard")
            report(
                `Kubernetes ${cluster.version} is past standard support; ${now.phase} support until ${now.until}.`,
            );
        else if (now.days < RUNWAY_WARNING_DAYS)
            report(
                `Kubernetes ${cluster.version} has ${now.days} days of standard support left (until ${now.until}).`,
            );
    }),
});

export const natOutsideProduction: StackValidationPolicy = {
    name: "cost-nat-gateways-outside-production",
    description:
        "Outside production, one NAT gateway is usually enough: each costs about $33 a month before data.",
    enforcementLevel: "advisory",
    configSchema: PRODUCTION_CONFIG_SCHEMA,
    validateStack: (args, report) => {
        if (args.getConfig<ProductionConfig>().production) return;
        const nats = args.resources.filter((r) => r.isType(aws.ec2.NatGateway));
        if (nats.length > 1)
            report(`${nats.length} NAT gateways in a non-production stack; natGateways: single would do.`);
    },
};

export const advisoryPoliciesOn = (today: Date) => [
    defaultTags,
    standardSupport,
    supportRunwayOn(today),
    natOutsideProduction,
];

export const advisoryPolicies = advisoryPoliciesOn(new Date());
