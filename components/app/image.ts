import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Architecture } from "../../domain/instancetypes";
import { Build } from "./build";

/** The image's settings, as the stack config gives them (defaults: Pulumi.yaml). */
export interface ImageSettings {
    /** Version label baked into the image. */
    version: string;
    /** An image by digest to deploy instead of this build (the rollback switch); it becomes the imageRef output. */
    imageRef?: string;
    /** Images the lifecycle policy keeps. */
    keepCount: number;
    /** Let `pulumi destroy` delete the repository with images in it. */
    forceDelete: boolean;
}

export interface ImageArgs extends ImageSettings {
    /** ECR repository name. */
    repositoryName: string;
    /** The Pulumi project's directory, where the program runs. */
    projectDir: string;
    /** The build context (the Dockerfile and the app), relative to projectDir. */
    context: string;
    /** CPU architecture of the nodes; the image is built for it. Derived from the instance types. */
    architecture: Architecture;
}

/** The app's image: an ECR repository and a build pushed to it. It does not wait for the cluster. */
export class Image extends pulumi.ComponentResource {
    readonly repository: aws.ecr.Repository;
    /** The build's image by digest (`repo@sha256:…`): it changes exactly when the image content does. */
    readonly builtRef: pulumi.Output<string>;
    /** The image the workload runs: builtRef, unless a rollback pins an earlier one. */
    readonly imageRef: pulumi.Output<string>;
    /** `linux/amd64` or `linux/arm64`, matching the nodes. */
    readonly platform: string;

    constructor(name: string, args: ImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:Image", name, {}, opts);
        const parent = { parent: this };

        this.repository = new aws.ecr.Repository(
            "repo",
            {
                name: args.repositoryName,
                imageScanningConfiguration: { scanOnPush: true },
                imageTagMutability: "IMMUTABLE",
                encryptionConfigurations: [{ encryptionType: "KMS" }],
                forceDelete: args.forceDelete,
            },
            parent,
        );
        new aws.ecr.LifecyclePolicy(
            "keep-recent",
            {
                repository: this.repository.name,
                policy: JSON.stringify({
                    rules: [
                        {
                            rulePriority: 1,
                            description: `Keep the ${args.keepCount} most recent images`,
                            selection: {
                                tagStatus: "any",
                                countType: "imageCountMoreThan",
                                countNumber: args.keepCount,
                            },
                            action: { type: "expire" },
                        },
                    ],
                }),
            },
            parent,
        );

        const credentials = aws.ecr.getAuthorizationTokenOutput(
            { registryId: this.repository.registryId },
            parent,
        );
        this.platform = `linux/${args.architecture}`;
        const image = new Build(
            "build",
            {
                repository: this.repository.repositoryUrl,
                projectDir: args.projectDir,
                context: args.context,
                platform: this.platform,
                version: args.version,
                registry: {
                    server: this.repository.repositoryUrl,
                    username: credentials.userName,
                    password: pulumi.secret(credentials.password),
                },
            },
            { parent: this },
        );
        this.builtRef = image.repoDigest;
        this.imageRef = args.imageRef ? pulumi.output(args.imageRef) : this.builtRef;

        this.registerOutputs({ builtRef: this.builtRef, imageRef: this.imageRef });
    }
}
