// Run in place (the end-to-end test passes --cwd): a Helm release through a provider that keeps its
// records where the stack's cluster provider does (components/platform/helmrecords.ts).
// FLASK_EKS_HELM_DRIVER=secret stands for a stack from before, whose records are Secrets.
import * as k8s from "@pulumi/kubernetes";
import * as path from "path";
import { HELM_RELEASE_SETTINGS } from "../../components/platform/helmrecords";

// No kubeconfig in the provider's inputs: each run takes $KUBECONFIG, so a refresh runs as whoever
// runs it, as on EKS, where the drift job's credentials are its own.
const driver = process.env.FLASK_EKS_HELM_DRIVER ?? HELM_RELEASE_SETTINGS.driver;
const provider = new k8s.Provider("k8s", { helmReleaseSettings: { ...HELM_RELEASE_SETTINGS, driver } });
new k8s.helm.v3.Release(
    "release",
    { name: "drift-check", namespace: "kube-system", chart: path.join(__dirname, "chart") },
    { provider },
);
