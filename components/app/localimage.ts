import * as pulumi from "@pulumi/pulumi";
import { Build } from "./build";

export interface LocalImageArgs {
    /** Repository to push a build to, such as localhost:5000/flask-eks. */
    registry: string;
    /** The Pulumi project's directory, where the program runs. */
    projectDir: string;
    /** The build context (the Dockerfile and the app), relative to projectDir. */
    context: string;
    /** `linux/amd64` or `linux/arm64`: the local cluster's nodes. */
    platform: string;
    /** Version label baked into the image. */
    version: string;
    /** An image already built, by digest: deploy it and build nothing (no Docker resource at all). */
    imageRef?: string;
}

/** The app's image for the local target: built and pushed to a local registry, or one given by digest. */
export class LocalImage extends pulumi.ComponentResource {
    /** The image the workload runs, by digest. */
    readonly imageRef: pulumi.Output<string>;

    constructor(name: string, args: LocalImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:LocalImage", name, {}, opts);
        this.imageRef = args.imageRef
            ? pulumi.output(args.imageRef)
            : new Build(
                  "build",
                  {
                      repository: args.registry,
                      projectDir: args.projectDir,
                      context: args.context,
                      platform: args.platform,
                      version: args.version,
                  },
                  { parent: this },
              ).repoDigest;
        this.registerOutputs({ imageRef: this.imageRef });
    }
}
