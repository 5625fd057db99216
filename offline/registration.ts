/** One resource registration, as the engine would receive it from `pulumi up`. */
export interface Registration {
    urn: string;
    /** The id the mocks gave the resource, as the cloud would after creating it. */
    id: string;
    type: string;
    name: string;
    /** False for component resources (and the root Stack). */
    custom: boolean;
    /** Parent URN; "" for the root Stack. */
    parent: string;
    /** Provider reference (`urn::id`) when the resource names one; "" for the engine's default provider. */
    provider: string;
    /** Per-package providers a component passes to its children. */
    providers: Record<string, string>;
    /** URNs this resource waits for: dependsOn plus every Output it takes as input. */
    dependencies: string[];
    /** For each input property, the URNs its value came from. */
    propertyDependencies: Record<string, string[]>;
    /** Inputs, with secrets still wrapped (see isSecretValue). */
    inputs: Record<string, unknown>;
    options: {
        protect: boolean;
        ignoreChanges: string[];
        replaceOnChanges: string[];
        deleteBeforeReplace: boolean;
        retainOnDelete: boolean;
        /** The ID of an existing resource to adopt ("" when none). */
        importId: string;
        additionalSecretOutputs: string[];
        version: string;
        /** What the resource was called before, for the engine to match it to its old state. */
        aliases: AliasSpec[];
        /** How long the engine waits on each operation ("" for the provider's own default). */
        customTimeouts: { create: string; update: string; delete: string };
    };
}

/** An alias as the SDK sends it: fields left out default to the resource's own. */
export interface AliasSpec {
    name?: string;
    type?: string;
    /** The old parent's URN; absent means the current parent, `noParent` no parent at all. */
    parentUrn?: string;
    noParent?: boolean;
}
