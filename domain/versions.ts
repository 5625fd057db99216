// The EKS Kubernetes minors this stack runs, with the dates their support ends and the managed add-on
// versions pinned for each. A leaf: imports nothing.
//
// Dates: the EKS user guide's release calendar (docs.aws.amazon.com/eks/latest/userguide/
// kubernetes-versions.html), read 2026-11-28; 1.36's (released on EKS 2026-06-02) as endoflife.date's
// scrape of that calendar records them (endoflife-date/release-data, releases/amazon-eks.json). A minor
// has 14 months of standard support from its EKS release, then 12 of extended support at a higher
// hourly price. Add-on versions: builds EKS publishes for the minor (`aws eks describe-addon-versions
// --kubernetes-version 1.NN`), as seen in public configurations of clusters of that minor, October and
// November 2026. Cluster Autoscaler: the image of the cluster's minor, and a chart of the autoscaler
// repository's index whose RBAC covers what that image reads and writes (9.47.0 is the first with the
// RBAC newer images need). No chart names a 1.36 image yet (its newest, 9.59.0, names 1.35.0); 9.59.0
// grants every call v1.36.1 makes with the chart's default flags, DRA's resource.k8s.io reads
// included (cluster-autoscaler-1.36.1: simulator/dynamicresources, utils/kubernetes/listers.go; the
// capacity-buffer controller it leaves off needs more). EKS offers 1.37 too, but its calendar dates
// and add-on builds are not in any source read here, so it has no row yet. AWS Load Balancer Controller: its chart
// (aws.github.io/eks-charts) and image share one release number since 3.0.0; it publishes no
// Kubernetes range beyond "1.22 and later", and v3.5.0 (2026-08-03, the newest) is built against
// client-go 0.36, so every minor here runs it. Its chart is 3.4.0 or later for admission webhooks of
// admission.k8s.io/v1 only. cert-manager: its supported-releases page (cert-manager.io/docs/releases,
// read 2026-12) has 1.21 supporting Kubernetes 1.33 to 1.36; v1.21.1 is its newest patch. Changing a
// version here is the reviewed upgrade of that add-on (docs/operations.md, "Upgrading Kubernetes");
// the stack never asks EKS for "the newest".

/** What the stack pins for one Kubernetes minor. */
export interface KubernetesVersion {
    /** Last day of standard support (UTC), ISO date. */
    endOfStandardSupport: string;
    /** Last day of extended support (UTC), ISO date; after it EKS upgrades the control plane itself. */
    endOfExtendedSupport: string;
    /** Managed add-on versions, by add-on name. */
    addons: Record<string, string>;
    /**
     * The Cluster Autoscaler, whose minor must be the cluster's: its image, and a chart (from
     * kubernetes.github.io/autoscaler) whose RBAC covers what that image watches.
     */
    clusterAutoscaler: { chart: string; image: string };
    /**
     * The AWS Load Balancer Controller, which makes the app's NLB: its chart and its image tag, whose
     * IAM policy components/addons/ keeps a copy of.
     */
    loadBalancerController: { chart: string; image: string };
    /**
     * cert-manager, which issues the Load Balancer Controller's webhook certificate: its chart (from
     * charts.jetstack.io), whose images carry the same release.
     */
    certManager: { chart: string };
}

export const KUBERNETES_VERSIONS: Record<string, KubernetesVersion> = {
    "1.36": {
        endOfStandardSupport: "2027-08-02",
        endOfExtendedSupport: "2028-08-02",
        addons: {
            "vpc-cni": "v1.23.2-eksbuild.1",
            "kube-proxy": "v1.36.0-eksbuild.25",
            "eks-pod-identity-agent": "v1.4.0-eksbuild.3",
            coredns: "v1.14.7-eksbuild.10",
            "metrics-server": "v0.9.0-eksbuild.11",
        },
        clusterAutoscaler: { chart: "9.59.0", image: "v1.36.1" },
        loadBalancerController: { chart: "3.5.0", image: "v3.5.0" },
        certManager: { chart: "v1.21.1" },
    },
    "1.35": {
        endOfStandardSupport: "2027-03-27",
        endOfExtendedSupport: "2028-03-27",
        addons: {
            "vpc-cni": "v1.22.3-eksbuild.1",
            "kube-proxy": "v1.35.3-eksbuild.17",
            "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
            coredns: "v1.13.2-eksbuild.11",
            "metrics-server": "v0.8.1-eksbuild.6",
        },
        clusterAutoscaler: { chart: "9.57.0", image: "v1.35.2" },
        loadBalancerController: { chart: "3.5.0", image: "v3.5.0" },
        certManager: { chart: "v1.21.1" },
    },
    "1.34": {
        endOfStandardSupport: "2026-12-02",
        endOfExtendedSupport: "2027-12-02",
        addons: {
            "vpc-cni": "v1.22.3-eksbuild.1",
            "kube-proxy": "v1.34.6-eksbuild.13",
            "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
            coredns: "v1.13.2-eksbuild.11",
            "metrics-server": "v0.8.1-eksbuild.6",
        },
        clusterAutoscaler: { chart: "9.53.0", image: "v1.34.2" },
        loadBalancerController: { chart: "3.5.0", image: "v3.5.0" },
        certManager: { chart: "v1.21.1" },
    },
    "1.33": {
        endOfStandardSupport: "2026-07-29",
        endOfExtendedSupport: "2027-07-29",
        addons: {
            "vpc-cni": "v1.21.1-eksbuild.3",
            "kube-proxy": "v1.33.8-eksbuild.4",
            "eks-pod-identity-agent": "v1.3.10-eksbuild.3",
            coredns: "v1.13.2-eksbuild.1",
            "metrics-server": "v0.8.1-eksbuild.6",
        },
        clusterAutoscaler: { chart: "9.51.0", image: "v1.33.0" },
        loadBalancerController: { chart: "3.5.0", image: "v3.5.0" },
        certManager: { chart: "v1.21.1" },
    },
};

/** Below this many days of standard support left, the config and the plan warn. */
export const RUNWAY_WARNING_DAYS = 90;

/** Where a minor stands on `today`: in standard support, in extended support, or past both. */
export interface Runway {
    phase: "standard" | "extended" | "ended";
    /** Whole days until the current phase ends (0 on its last day). */
    days: number;
    /** The date the current phase ends. */
    until: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function runway(version: KubernetesVersion, today: Date): Runway {
    const day = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
    const left = (until: string) => Math.round((Date.parse(until) - day) / DAY_MS);
    if (left(version.endOfStandardSupport) >= 0)
        return {
            phase: "standard",
            days: left(version.endOfStandardSupport),
            until: version.endOfStandardSupport,
        };
    if (left(version.endOfExtendedSupport) >= 0)
        return {
            phase: "extended",
            days: left(version.endOfExtendedSupport),
            until: version.endOfExtendedSupport,
        };
    return { phase: "ended", days: 0, until: version.endOfExtendedSupport };
}

/** The minor whose standard support lasts longest (of this table unless given another): the default. */
export function newestVersion(versions: Record<string, KubernetesVersion> = KUBERNETES_VERSIONS): string {
    return Object.entries(versions).sort(
        ([, a], [, b]) => Date.parse(b.endOfStandardSupport) - Date.parse(a.endOfStandardSupport),
    )[0][0];
}
