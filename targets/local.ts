import * as k8s from "@pulumi/kubernetes";
import * as path from "path";
import { LocalImage } from "../components/app/localimage";
import { Workload } from "../components/app/workload";
import type { LocalStackConfig } from "../config";
import { REFRESHERS_GROUP } from "../config/delivery";

/**
 * The image and the same workload on a Kubernetes cluster the user already has (kind, k3d,
 * minikube, Docker Desktop, any kubeconfig). No AWS resource, provider or plugin.
 */
export async function deployLocal(config: LocalStackConfig) {
    const provider = new k8s.Provider("k8s", {
        kubeconfig: config.local.kubeconfig,
        context: config.local.context,
    });
    const image = new LocalImage("image", {
        registry: config.local.registry,
        projectDir: path.join(__dirname, ".."),
        context: "app",
        platform: `linux/${process.arch === "arm64" ? "arm64" : "amd64"}`,
        version: config.image.version,
        imageRef: config.image.imageRef,
    });
    const app = new Workload(
        "app",
        {
            namespace: "flask-app",
            imageRef: image.imageRef,
            app: config.app,
            secretReaders: REFRESHERS_GROUP,
            ...config.workload,
        },
        { providers: [provider] },
    );
    return { url: app.url, imageRef: image.imageRef, namespace: app.namespace };
}
