// What the user's app asks of the platform, as the stack config gives it (config/app.ts checks it).
// A leaf: imports nothing.

/** A destination the app may open connections to, besides cluster DNS. */
export interface EgressRule {
    cidr: string;
    port: number;
    protocol: "TCP" | "UDP";
}

export interface AppSettings {
    /** The WSGI entry gunicorn serves, module:callable, `()` calling a factory. */
    module: string;
    /** Plain environment variables. */
    env: Record<string, string>;
    /** Secret environment variables: they reach the pod through a Kubernetes Secret only. */
    secrets: Record<string, string>;
    egress: EgressRule[];
    /** On EKS: IAM policies attached to the app's role. */
    policyArns: string[];
}

/** What the container sets itself; appEnv and appSecrets may not set these. */
export const RESERVED_ENV = [
    "APP_MODULE",
    "DRAIN_SECONDS",
    "GRACEFUL_TIMEOUT",
    "METRICS_PORT",
    "POD_NAME",
    "PORT",
    "PROMETHEUS_MULTIPROC_DIR",
    "WEB_CONCURRENCY",
];
