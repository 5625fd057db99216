// Run in place (the end-to-end test passes --cwd), so it grants the stack's own read access.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { releaseReaders } from "../../components/platform/releasereaders";

// No kubeconfig in the provider's inputs: each run takes $KUBECONFIG, so a refresh runs as whoever
// runs it, as on EKS, where the drift job's credentials are its own.
const provider = new k8s.Provider("k8s", {});
new k8s.helm.v3.Release(
    "release",
    { name: "drift-check", namespace: "kube-system", chart: path.join(__dirname, "chart") },
    { provider },
);

// What targets/eks.ts gives the stack's viewers, in a component of its own here.
class ViewerAccess extends pulumi.ComponentResource {
    constructor() {
        super("flask-eks-drift-check:index:ViewerAccess", "viewers");
        releaseReaders(this, { provider });
        this.registerOutputs({});
    }
}
new ViewerAccess();
