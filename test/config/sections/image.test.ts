// The image section: a version label, the rollback switch (an image by digest, or empty), and ECR's
// lifecycle.
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { image } from "../../../config/sections/image";
import { P } from "../../helpers";
import { BadConfig, accepted, boundsEach, refused, refusesEach } from "../helpers";

const DIGEST = `123456789012.dkr.ecr.us-west-2.amazonaws.com/repo@sha256:${"0".repeat(64)}`;

const cases: BadConfig[] = [
    [
        "keeping no images",
        { [`${P}:imageKeepCount`]: "0" },
        `${P}:imageKeepCount: got 0, expected an integer from 1 to 1000`,
    ],
    [
        "a rollback image that is not by digest",
        { [`${P}:imageRef`]: "repo/web:v1" },
        `${P}:imageRef: got "repo/web:v1", expected empty, or an image by digest such as 123456789012.dkr.ecr.us-west-2.amazonaws.com/repo@sha256:<64 hex>`,
    ],
];

describe("config sections: the image, each bad value", () => refusesEach(cases));

describe("config sections: the image", () => {
    boundsEach([["imageKeepCount", 1, 1000, {}]]);

    it("a version label starts with a letter, digit or _, and has nothing after it", () => {
        for (const imageVersion of ["-1.0", "1.0 beta"])
            assert.equal(
                refused(image, { imageVersion }),
                `${P}:imageVersion: got ${JSON.stringify(imageVersion)}, expected a version label such as 1.4.2 (letters, digits, . + - _)`,
            );
    });

    it("imageRef: an image by digest runs it, empty runs the build, anything around a digest is refused", () => {
        assert.equal(accepted(image, { imageRef: DIGEST }).imageRef, DIGEST);
        assert.equal(accepted(image, { imageRef: "" }).imageRef, undefined);
        for (const imageRef of [`x ${DIGEST}`, `${DIGEST}0`, DIGEST.replace("@", ":")])
            assert.match(
                refused(image, { imageRef }),
                /imageRef: got .*, expected empty, or an image by digest/,
            );
    });
});
