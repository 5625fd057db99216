import * as k8s from "@pulumi/kubernetes";
import * as path from "path";
import { LocalImage } from "../components/app/localimage";
import { Workload } from "../components/app/workload";
import { CANARY_READS, RefresherReads } from "../components/platform/refresherreads";
import { Tenant } from "../components/platform/tenant";
import { TenantIngresses } from "../components/platform/tenantingress";
import type { LocalStackConfig } from "../config";
import { REFRESHERS_GROUP } from "../config/delivery";
import { SHARED_CLASS } from "../domain/namespaces";
import { PlatformOutputs, platformOf, tenantOutputs } from "./contract";

/**
 * A Kubernetes cluster the user already has (kind, k3d, minikube, Docker Desktop, any kubeconfig): the
 * image and the same workload in its own namespace (layer all), a namespace for each app it lends one
 * (layer platform), or the app in the one its platform lends it (layer app). No AWS resource,
 * provider or plugin.
 */
export async function deployLocal(config: LocalStackConfig) {
    // An app reads its platform before it registers anything.
    const tenant = config.layer === "app" ? (await platformOf(config)).tenant : undefined;
    const provider = new k8s.Provider("k8s", {
        kubeconfig: config.local.kubeconfig,
        context: config.local.context,
    });
    if (config.layer === "platform") {
        // The same admission policy as on EKS: with no shared ALB here, it refuses every tenant's Ingress.
        const ingresses = new TenantIngresses(
            "tenant-ingresses",
            { sharedClass: SHARED_CLASS },
            { providers: [provider] },
        );
        for (const [name, tenant] of Object.entries(config.tenants))
            new Tenant(name, { ...tenant, behindNlb: false }, { providers: [provider] });
        // The drift check's reads beyond the view policy: the admission policies, and the canaries'
        // objects when its apps run canaries (the cluster brings their controller).
        const reads = [...ingresses.reads, ...(config.workload.canary ? [CANARY_READS] : [])];
        new RefresherReads("refresher-reads", { group: REFRESHERS_GROUP, reads }, { providers: [provider] });
        const outputs: PlatformOutputs = {
            target: "local",
            tenants: tenantOutputs(config.tenants),
            nodeArchitecture: NODE_ARCHITECTURE,
        };
        return outputs;
    }
    const image = new LocalImage("image", {
        registry: config.local.registry,
        projectDir: path.join(__dirname, ".."),
        context: "app",
        platform: `linux/${NODE_ARCHITECTURE}`,
        version: config.image.version,
        imageRef: config.image.imageRef,
    });
    const app = new Workload(
        "app",
        {
            namespace: tenant?.namespace ?? "flask-app",
            namespaceExists: tenant !== undefined,
            appName: config.appName,
            imageRef: image.imageRef,
            app: config.app,
            // A tenant's deployer may not bind roles, so no reader of its Secret.
            secretReaders: tenant ? undefined : REFRESHERS_GROUP,
            ...config.workload,
        },
        { providers: [provider] },
    );
    return { url: app.url, imageRef: app.servedImageRef, namespace: app.namespace };
}

/** A local cluster runs what this machine runs. */
const NODE_ARCHITECTURE = process.arch === "arm64" ? "arm64" : "amd64";
