// The mock monitor's requests, recorded as the registrations the engine would receive.
import * as pulumi from "@pulumi/pulumi";
import type { AliasSpec, Registration } from "./registration";

/** Wraps the mock monitor so each request is recorded before the mocks answer it. */
export function recordInto(
    registrations: Registration[],
    outputsByUrn: Map<string, Record<string, unknown>>,
): void {
    // The monitor and its protobuf requests are untyped in the SDK's public surface.
    const monitor = pulumi.runtime.getMonitor() as any;

    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) =>
        register(req, (err: unknown, resp: any) => {
            if (!err) registrations.push(toRegistration(req, resp.getUrn(), resp.getId()));
            callback(err, resp);
        });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: unknown, resp: unknown) => void) => {
        outputsByUrn.set(req.getUrn(), req.getOutputs()?.toJavaScript() ?? {});
        return registerOutputs(req, callback);
    };
}

function toRegistration(req: any, urn: string, id: string): Registration {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
        propertyDependencies[key] = deps.getUrnsList();
    });
    const providers: Record<string, string> = {};
    req.getProvidersMap().forEach((ref: string, pkg: string) => {
        providers[pkg] = ref;
    });
    return {
        urn,
        id,
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        parent: req.getParent(),
        provider: req.getProvider(),
        providers,
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        inputs: req.getObject()?.toJavaScript() ?? {},
        options: {
            protect: req.getProtect() === true,
            ignoreChanges: req.getIgnorechangesList(),
            replaceOnChanges: req.getReplaceonchangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            retainOnDelete: req.getRetainondelete() === true,
            importId: req.getImportid(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            version: req.getVersion(),
            aliases: req.getAliasesList().map(toAliasSpec),
            customTimeouts: {
                create: req.getCustomtimeouts()?.getCreate() ?? "",
                update: req.getCustomtimeouts()?.getUpdate() ?? "",
                delete: req.getCustomtimeouts()?.getDelete() ?? "",
            },
        },
    };
}

function toAliasSpec(alias: any): AliasSpec {
    const spec = alias.getSpec();
    const defined = (v: string) => v || undefined;
    return Object.fromEntries(
        Object.entries({
            name: defined(spec.getName()),
            type: defined(spec.getType()),
            parentUrn: defined(spec.getParenturn()),
            noParent: spec.getNoparent() || undefined,
        }).filter(([, v]) => v !== undefined),
    );
}

/** Resolves once no registration is in flight, including ones started from inside apply callbacks. */
export function waitForRegistrations(): Promise<void> {
    // waitForRPCs is internal to the SDK; it is what `pulumi up`'s run script awaits before exiting.
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    return settings.waitForRPCs();
}
