import * as pulumi from "@pulumi/pulumi";
import type { ControlPlaneSettings } from "../components/platform/cluster";
import type { ImageSettings } from "../components/app/image";
import type { NetworkSettings } from "../components/platform/network";
import type { NodeGroupSettings } from "../components/platform/nodegroup";
import type { WorkloadSettings } from "../components/app/workload";
import type { AppSettings } from "../components/app/appsettings";
import { REMOVED_KEYS, RENAMED_KEYS } from "../migrations";
import { app as appSection } from "./app";
import { AwsAccess, awsAccess } from "./awsaccess";
import { didYouMean, nearest } from "./nearest";
import { ConfigError, RawConfig, Reader, Situation, deepFreeze } from "./reader";
import { checkAcross } from "./sections/checks";
import { cluster as clusterSection } from "./sections/cluster";
import { image as imageSection } from "./sections/image";
import { LayerSettings, layer as layerSection } from "./sections/layer";
import { LocalSettings, local as localSection } from "./sections/local";
import { network as networkSection } from "./sections/network";
import { nodes as nodesSection } from "./sections/nodes";
import { region as regionSection } from "./sections/region";
import { target as targetSection } from "./sections/target";
import { workload as workloadSection } from "./sections/workload";

// The one typed view of the stack config. Defaults live in Pulumi.yaml only (the CLI applies them);
// this module parses every key, collects every problem, and throws once, before any resource exists.

export { ConfigError } from "./reader";
export type { RawConfig } from "./reader";

export type { LocalSettings } from "./sections/local";
export type { Target } from "./sections/target";
export type { Layer, SharedEntry, Tenant } from "./sections/layer";
export type { AwsAccess } from "./awsaccess";

/** What every target deploys: the image and the workload (on a platform stack, only their names). */
interface CommonConfig extends LayerSettings {
    project: string;
    stack: string;
    image: ImageSettings;
    workload: WorkloadSettings;
    /** What the app asks of the platform: its entry, environment, secrets, egress, AWS policies. */
    app: AppSettings;
    /** What is allowed but worth saying, such as a short support runway: a line each. */
    notices: string[];
}

/** The whole stack on AWS: network, cluster, nodes, ECR, workload. */
export interface EksStackConfig extends CommonConfig {
    target: "eks";
    region: string;
    /** The credentials the stack's aws: config names, for the AWS provider and the cluster's token. */
    aws: AwsAccess;
    /** EKS cluster name, `<project>-<stack>`; known before the cluster exists so its log group can be. */
    clusterName: string;
    network: NetworkSettings;
    cluster: ControlPlaneSettings & {
        /** IAM roles given cluster admin, besides the deployer. */
        adminRoleArns: string[];
        /** Whether the bootstrap's delivery roles and boundary for the stack are used (config/delivery.ts). */
        deliveryRoles: boolean;
    };
    nodes: NodeGroupSettings;
}

/** The image and the workload on a Kubernetes cluster the user already has; no AWS at all. */
export interface LocalStackConfig extends CommonConfig {
    target: "local";
    local: LocalSettings;
}

export type StackConfig = EksStackConfig | LocalStackConfig;

/** Whether the CLI marked a key secret: the SDK exports this at run time, though not in its types. */
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret;

/** Loads and validates the current stack's config; throws ConfigError listing every problem. */
export function loadConfig(): StackConfig {
    const config = parseConfig(
        (namespace, key) => new pulumi.Config(namespace).get(key),
        pulumi.getProject(),
        pulumi.getStack(),
        Object.keys(pulumi.runtime.allConfig()),
        { today: new Date(), deploying: !pulumi.runtime.isDryRun(), isSecret: isConfigSecret },
    );
    for (const notice of config.notices) pulumi.log.warn(notice);
    return config;
}

/**
 * Parses and validates raw config. `setKeys`, when given, lists every key set for the stack; any in
 * this project's namespace that nothing reads is reported as unknown.
 */
export function parseConfig(
    raw: RawConfig,
    project: string,
    stack: string,
    // Stryker disable next-line ArrayDeclaration: a key in no namespace is neither an aws: key nor the project's, so none is reported.
    setKeys: string[] = [],
    situation?: Situation,
): StackConfig {
    const r = new Reader(raw, project, [], situation);
    const target = targetSection(r);
    // Every section is read whatever the target, so every key of the stack file is checked; the AWS
    // region matters only on EKS.
    const parsed = {
        region: target === "eks" ? regionSection(r) : undefined,
        aws: awsAccess(r, setKeys),
        network: networkSection(r),
        cluster: clusterSection(r),
        nodes: nodesSection(r),
        image: imageSection(r),
        workload: workloadSection(r),
        local: localSection(r),
        app: appSection(r, target === "eks"),
        layer: layerSection(r),
    };
    reportUnknownKeys(r, project, setKeys);
    checkAcross(r, target, parsed);
    const { region, aws, network, cluster, nodes, image, workload, local, app, layer } = parsed;
    if (
        r.problems.length > 0 ||
        !target ||
        !aws ||
        !network ||
        !cluster ||
        !nodes ||
        !image ||
        !workload ||
        !local ||
        !app ||
        !layer
    ) {
        throw new ConfigError(r.problems, stack);
    }
    if (target === "local") {
        return deepFreeze({
            target,
            ...layer,
            project,
            stack,
            image,
            workload,
            app,
            local,
            notices: r.notices,
        });
    }
    return deepFreeze({
        target,
        ...layer,
        project,
        stack,
        // Read on EKS, so undefined only with a problem recorded, which threw above.
        region: region!,
        aws,
        clusterName: `${project}-${stack}`,
        network,
        cluster,
        nodes,
        image,
        workload,
        app,
        notices: r.notices,
    });
}

/** The namespaces of the providers the program configures, and the engine's own. */
export const PROVIDER_NAMESPACES = ["aws", "docker", "kubernetes", "pulumi"];

/**
 * A mistyped key would otherwise be ignored in silence and its default used instead; so would a key
 * in another namespace than the project's, such as one left from before the project was renamed, or
 * a provider's namespace misspelled. Another namespace altogether (another tool's, an ESC
 * environment's) is only noted: the program reads nothing from it.
 */
function reportUnknownKeys(r: Reader, project: string, setKeys: string[]): void {
    const declared = [...r.asked].filter((known) => known.startsWith(`${project}:`));
    for (const key of setKeys) {
        const [namespace, name] = key.split(":", 2);
        if (name === undefined || namespace === project || PROVIDER_NAMESPACES.includes(namespace)) continue;
        const expected = `expected the project's, ${project}: (the name in Pulumi.yaml), or a provider's (${PROVIDER_NAMESPACES.map((n) => `${n}:`).join(", ")})`;
        const provider = nearest(namespace, PROVIDER_NAMESPACES);
        if (r.asked.has(`${project}:${name}`) || nearest(namespace, [project]).length > 0)
            r.problems.push(
                `${key}: is set in namespace ${namespace}:, ${expected}${didYouMean(`${project}:${name}`, declared, `${project}:`) || ` (see docs/configuration.md)`}`,
            );
        else if (provider.length > 0)
            r.problems.push(
                `${key}: is set in namespace ${namespace}:, ${expected}; did you mean ${provider.map((n) => `${n}:${name}`).join(" or ")}?`,
            );
        else
            r.notices.push(
                `${key}: is set in namespace ${namespace}:, which this program reads nothing from`,
            );
    }
    for (const key of setKeys.filter((k) => k.startsWith(`${project}:`) && !r.asked.has(k))) {
        const removed = REMOVED_KEYS[key.slice(project.length + 1)];
        if (removed) {
            r.problems.push(
                `${key}: is set, expected it unset: it was removed (${removed}; see CHANGELOG.md)`,
            );
            continue;
        }
        const renamed = RENAMED_KEYS[key.slice(project.length + 1)];
        if (renamed) {
            r.problems.push(
                `${key}: is set, expected its new name ${project}:${renamed} (renamed; see CHANGELOG.md)`,
            );
            continue;
        }
        const declared = [...r.asked].filter((known) => known.startsWith(`${project}:`));
        const hint = didYouMean(key, declared, `${project}:`) || ` (see docs/configuration.md)`;
        r.problems.push(`${key}: is set, expected only keys that Pulumi.yaml declares${hint}`);
    }
}
