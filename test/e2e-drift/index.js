"use strict";
// Resolved from the repository's node_modules, two folders up.
const k8s = require("@pulumi/kubernetes");
const path = require("path");

// No kubeconfig in the provider's inputs: each run takes $KUBECONFIG, so a refresh runs as whoever
// runs it, as on EKS, where the drift job's credentials are its own.
const provider = new k8s.Provider("k8s", {});
new k8s.helm.v3.Release(
    "release",
    { name: "drift-check", namespace: "kube-system", chart: path.join(__dirname, "chart") },
    { provider },
);
