import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CERT_MANAGER_REQUESTS } from "../../domain/capacity";
import { KUBERNETES_VERSIONS } from "../../domain/versions";
import { HelmAddon } from "./helmaddon";

/** Where the chart comes from; the version is pinned per Kubernetes minor in KUBERNETES_VERSIONS. */
const CERT_MANAGER_CHART_REPO = "https://charts.jetstack.io";

export interface CertManagerArgs {
    kubernetesVersion: string;
    provider: k8s.Provider;
}

/**
 * cert-manager, as a Helm release with its CRDs: it issues the AWS Load Balancer Controller's webhook
 * certificate into a Secret it makes itself, so no Helm record (a ConfigMap, which viewers read) and
 * no Pulumi state ever holds that key. Its chart renders no Secret; its own webhook makes its CA at
 * run time. It needs no AWS permission: the controller's issuers are self-signed and CA ones.
 */
export class CertManager extends HelmAddon {
    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        const { chart } = KUBERNETES_VERSIONS[args.kubernetesVersion].certManager;
        super(
            "flask-eks:index:CertManager",
            name,
            {
                provider: args.provider,
                chart: { name: "cert-manager", version: chart, repo: CERT_MANAGER_CHART_REPO },
                values: () => ({
                    crds: { enabled: true },
                    resources: resources(CERT_MANAGER_REQUESTS.controller),
                    webhook: { resources: resources(CERT_MANAGER_REQUESTS.webhook) },
                    cainjector: { resources: resources(CERT_MANAGER_REQUESTS.cainjector) },
                    // The post-install check that the API answers: a first up waits for it.
                    startupapicheck: { timeout: "5m" },
                }),
                // The chart's post-install check may take its whole five minutes on new nodes.
                timeout: 600,
            },
            opts,
        );
    }
}

/** A pod's requests, and its memory as its limit. */
function resources({ cpu, memory, memoryLimit }: { cpu: string; memory: string; memoryLimit: string }) {
    return { requests: { cpu, memory }, limits: { memory: memoryLimit } };
}
