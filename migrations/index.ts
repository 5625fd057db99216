// Every change to what a stack deployed before holds or sets, in one place: URN aliases, resources
// replaced rather than updated, and config keys renamed or removed. Each names the day it came in and
// its CHANGELOG.md section (the project has no release numbers; the section is the version). Nothing
// here is ever removed while a stack made before it may still be updated: test/migrations/index.test.ts
// resolves every URN the committed stacks held (test/snapshots/urns.<stack>.txt) to the same resource.
import type * as pulumi from "@pulumi/pulumi";

/**
 * 2026-11-28, "Config keys renamed, components moved" (issue 12): the Workload component was App.
 * Without the alias its children (the namespace, Deployment, Service and the rest) would be
 * replaced.
 */
export const WORKLOAD_ALIASES: pulumi.Input<pulumi.Alias>[] = [{ type: "flask-eks:index:App" }];

/**
 * Children that were their component's parent's own until the component came between them: their
 * options name that former parent (the component's own parent), when it has one. A URN names only
 * the immediate parent's type, so the alias is the same wherever that parent sits.
 * - 2026-11-28, "Config keys renamed, components moved" (issue 12): the NodeGroup under the Cluster
 *   (node role, its attachments, launch template, node group).
 * - 2026-12-05, "One shape for every building block" (issue 33): under the Cluster, the Helm add-ons
 *   (CertManager, LoadBalancerController, ClusterAutoscaler: role, inline policy, release) and the
 *   ServiceAccountRoles of vpc-cni and Container Insights; under the Workload, its ServiceAccountRole,
 *   SecretReaders, Scaling (PDB, HPA) and NetworkPolicies.
 *
 * The alias names the former parent by its URN, which the SDK resolves to the same alias as the
 * resource itself. Given the resource, the SDK's check for unknown values (output.js,
 * containsUnknowns) walks every object reachable from it, the whole resource tree, each time it
 * resolves the alias: about 35 ms of dev's offline run of 200.
 */
export function movedUnderComponent(formerParent: pulumi.Resource | undefined): {
    aliases?: pulumi.Input<pulumi.Alias>[];
} {
    return formerParent ? { aliases: [{ parent: formerParent.urn }] } : {};
}

/**
 * 2026-11-30, "The traffic path through the AWS Load Balancer Controller" (issue 20): a Service
 * made for the in-tree NLB is handed to the controller. Changed in place, the old NLB would be left
 * behind, so a change of its type annotation replaces the Service, deleting it first (the new one
 * has the same name). test/e2e.sh shows the real engine doing so.
 */
export function replacedOnControllerChange(typeAnnotation: string) {
    return { replaceOnChanges: [`metadata.annotations["${typeAnnotation}"]`], deleteBeforeReplace: true };
}

/**
 * 2026-11-28, issue 12: keys renamed so that each prefix names the component that reads it. An old
 * name is refused with its new one rather than silently ignored.
 */
export const RENAMED_KEYS: Record<string, string> = {
    appMinReplicas: "workloadMinReplicas",
    appMaxReplicas: "workloadMaxReplicas",
    appCpuRequest: "workloadCpuRequest",
    appMemoryRequest: "workloadMemoryRequest",
    appMemoryLimit: "workloadMemoryLimit",
    appVersion: "imageVersion",
    appImageRef: "imageRef",
    ecrKeepImages: "imageKeepCount",
    ecrForceDelete: "imageForceDelete",
};

const HPA_OWNS_REPLICAS =
    "the HorizontalPodAutoscaler owns the replica count; set workloadMinReplicas and workloadMaxReplicas";

/** Keys removed, refused with what to set instead. */
export const REMOVED_KEYS: Record<string, string> = {
    // 2026-11-28, issue 14 (in CHANGELOG.md's issue 12 section): the HPA owns the replica count.
    workloadReplicas: HPA_OWNS_REPLICAS,
    appReplicas: HPA_OWNS_REPLICAS,
    // 2026-11-28, "The cluster over its life" (issue 15): add-ons pinned per Kubernetes minor.
    addonVersions:
        "add-on versions are pinned per Kubernetes version in domain/versions.ts; change them there, in a reviewed commit",
};
