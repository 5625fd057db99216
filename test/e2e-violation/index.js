"use strict";
// Resolved from the repository's node_modules, two folders up.
const k8s = require("@pulumi/kubernetes");

const provider = new k8s.Provider("k8s", { kubeconfig: process.env.KUBECONFIG });
new k8s.core.v1.Service(
    "open",
    {
        metadata: { name: "open", namespace: "default" },
        spec: { type: "LoadBalancer", selector: { app: "none" }, ports: [{ port: 80 }] },
    },
    { provider },
);
