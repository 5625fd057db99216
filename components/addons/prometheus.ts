import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HelmAddon } from "./helmaddon";

/** The prometheus-community chart of the Prometheus server alone. */
const CHART = {
    name: "prometheus",
    version: "27.3.0",
    repo: "https://prometheus-community.github.io/helm-charts",
};

/**
 * The scrape job a canary's analysis reads (components/app/analysis.ts), the same as the local
 * cluster's (engine/addons/prometheus.yaml): every pod with a container port named metrics, labelled
 * with its namespace, name and labels (rollouts-pod-template-hash becomes rollouts_pod_template_hash).
 */
export const PODS_SCRAPE_JOB = {
    job_name: "pods",
    kubernetes_sd_configs: [{ role: "pod" }],
    relabel_configs: [
        { source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: "metrics", action: "keep" },
        { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
        { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        { regex: "__meta_kubernetes_pod_label_(.+)", action: "labelmap" },
    ],
};

export interface PrometheusArgs {
    provider: k8s.Provider;
}

/**
 * The metrics source of the canaries: a Prometheus server in kube-system, at
 * http://prometheus.kube-system.svc:9090 (canaryPrometheusUrl's default), scraping every 10 s and
 * keeping a day, on an emptyDir: the analysis reads the last minutes only. No Alertmanager, push
 * gateway, node exporter or kube-state-metrics. Amazon Managed Service for Prometheus is the
 * alternative for a longer history (docs/architecture.md, "Releases").
 */
export class Prometheus extends HelmAddon {
    constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "flask-eks:index:Prometheus",
            name,
            {
                provider: args.provider,
                chart: CHART,
                values: () => ({
                    alertmanager: { enabled: false },
                    "prometheus-pushgateway": { enabled: false },
                    "prometheus-node-exporter": { enabled: false },
                    "kube-state-metrics": { enabled: false },
                    server: {
                        fullnameOverride: "prometheus",
                        service: { servicePort: 9090 },
                        persistentVolume: { enabled: false },
                        retention: "1d",
                        global: { scrape_interval: "10s", evaluation_interval: "10s" },
                        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
                    },
                    serverFiles: { "prometheus.yml": { scrape_configs: [PODS_SCRAPE_JOB] } },
                }),
            },
            opts,
        );
    }
}
