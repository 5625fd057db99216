import { Reader, complete } from "../reader";

// The local target's section: the cluster the user already has, and where its image goes.

/** The local target's settings (defaults: Pulumi.yaml). */
export interface LocalSettings {
    /** Kubeconfig file; empty means $KUBECONFIG or ~/.kube/config, as kubectl reads it. */
    kubeconfig?: string;
    /** Context in it; empty means its current context. */
    context?: string;
    /** Repository the image is pushed to when it is built (not when imageRef pins one). */
    registry: string;
}

export function local(r: Reader): LocalSettings | undefined {
    const kubeconfig = r.emptyOr("localKubeconfig");
    const context = r.emptyOr("localContext", /^[\w.@:/-]+$/, "a kubeconfig context name");
    const registry = r.string(
        "localRegistry",
        /^[\w.-]+(:\d+)?(\/[a-z0-9._-]+)+$/,
        "an image repository such as localhost:5000/flask-eks",
    );
    return complete({ kubeconfig, context, registry });
}
