import { ImageSettings } from "../../components/app/image";
import { Reader, complete } from "../reader";

// The image section: the version label, the rollback switch (an image by digest), and the ECR
// repository's lifecycle.

export function image(r: Reader): ImageSettings | undefined {
    const version = r.string(
        "imageVersion",
        /^[\w][\w.+-]{0,127}$/,
        "a version label such as 1.4.2 (letters, digits, . + - _)",
    );
    const imageRef = r.emptyOr(
        "imageRef",
        /^[\w.-]+(:\d+)?\/[\w./-]+@sha256:[0-9a-f]{64}$/,
        "an image by digest such as 123456789012.dkr.ecr.us-west-2.amazonaws.com/repo@sha256:<64 hex>",
    );
    const keepCount = r.integer("imageKeepCount", 1, 1000);
    const forceDelete = r.boolean("imageForceDelete");
    return complete({ version, imageRef, keepCount, forceDelete });
}
