import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { movedUnderComponent } from "../../migrations";

// Building the app's image and pushing it, for any registry: ECR (image.ts) or a local one
// (localimage.ts). Docker only, no AWS.

/**
 * What app/.dockerignore leaves out of the image: names at the top of the context, and names at any
 * depth (`**\/NAME`). Any other pattern is refused, so the hash never counts a file the image
 * lacks, nor misses one it holds.
 */
export function ignoredNames(dir: string): { top: Set<string>; anywhere: Set<string> } {
    const file = path.join(dir, ".dockerignore");
    const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : [];
    const top = new Set<string>();
    const anywhere = new Set<string>();
    for (const line of lines.map((l) => l.trim()).filter((l) => l && !l.startsWith("#"))) {
        const name = line.startsWith("**/") ? line.slice(3) : line;
        if (!/^[\w.-]+$/.test(name))
            throw new Error(
                `${file}: "${line}" is not NAME or **/NAME, the patterns the image's tag hash reads`,
            );
        (line.startsWith("**/") ? anywhere : top).add(name);
    }
    return { top, anywhere };
}

/**
 * A short hash of every file in the build context that goes into the image (its path, whether it
 * is executable, its bytes), of the Dockerfile and .dockerignore that shape the build, and of the
 * build arguments. The repository's tags are immutable, so each distinct image needs a distinct tag,
 * and the same content must give the same tag on every machine: of a file's mode only the executable
 * bit counts, the one bit git keeps, not what a umask adds.
 */
export function contentHash(dir: string, extra: string[]): string {
    const hash = createHash("sha256");
    for (const file of contextFiles(dir)) {
        const executable = (fs.statSync(path.join(dir, file)).mode & 0o111) !== 0;
        hash.update(file)
            .update(executable ? "\0x\0" : "\0-\0")
            .update(fs.readFileSync(path.join(dir, file)))
            .update("\0");
    }
    extra.forEach((e) => hash.update(e).update("\0"));
    return hash.digest("hex").slice(0, 16);
}

/**
 * The files contentHash counts, in its order: those the build copies into the image (all but what
 * .dockerignore lists), then the Dockerfile and .dockerignore, which shape it without being copied.
 */
export function contextFiles(dir: string): string[] {
    const ignored = ignoredNames(dir);
    const files: string[] = [];
    const walk = (rel: string) => {
        const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
        // Stryker disable next-line all: on Linux libuv already lists a directory sorted (scandir, strcmp), and names in one directory differ; the sort keeps the order on systems that do not
        entries.sort((a, b) => (a.name < b.name ? -1 : 1));
        for (const entry of entries) {
            if (ignored.anywhere.has(entry.name) || (rel === "" && ignored.top.has(entry.name))) continue;
            const file = path.join(rel, entry.name);
            if (entry.isDirectory()) walk(file);
            else files.push(file);
        }
    };
    walk("");
    for (const file of ["Dockerfile", ".dockerignore"])
        if (ignored.top.has(file) && fs.existsSync(path.join(dir, file))) files.push(file);
    return files;
}

export interface BuildArgs {
    /** Repository to push to, without a tag. */
    repository: pulumi.Input<string>;
    /** The Pulumi project's directory: the program runs there, and the provider resolves paths from it. */
    projectDir: string;
    /** The build context (the Dockerfile and the app), relative to projectDir. */
    context: string;
    /** `linux/amd64` or `linux/arm64`. */
    platform: string;
    /** Version label baked into the image (APP_VERSION). */
    version: string;
    /** Credentials for the push, if the registry needs them. */
    registry?: docker.types.input.Registry;
}

/** The app's image, tagged by the hash of what goes into it, built and pushed. */
export class Build extends pulumi.ComponentResource {
    /** The image by digest. */
    readonly repoDigest: pulumi.Output<string>;

    constructor(name: string, args: BuildArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flask-eks:index:Build", name, {}, opts);
        const buildArgs = { APP_VERSION: args.version };
        const tag = contentHash(path.join(args.projectDir, args.context), [
            args.platform,
            JSON.stringify(buildArgs),
        ]);
        const image = new docker.Image(
            "app",
            {
                imageName: pulumi.interpolate`${args.repository}:${tag}`,
                // Relative, and the Dockerfile left to its default place in the context: an input that
                // held this checkout's absolute path would differ from another checkout's, and the
                // provider would build and push again, into an immutable tag that already exists.
                build: { context: args.context, platform: args.platform, args: buildArgs },
                registry: args.registry,
            },
            { parent: this, ...movedUnderComponent(opts?.parent) },
        );
        this.repoDigest = image.repoDigest;
        this.registerOutputs({ repoDigest: this.repoDigest });
    }
}
