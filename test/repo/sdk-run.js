// Runs index.ts through the SDK's own run script (`@pulumi/pulumi/cmd/run`), the entry point the
// language host starts for `pulumi up`, with offline/'s mocks in place of the engine. Config
// arrives in PULUMI_CONFIG, as from the CLI. Used by test/repo/loader.test.ts; arguments: project, stack, region. On exit it prints one JSON
// line with the resource types registered; a failed program sets a non-zero exit code.
"use strict";
const path = require("path");
const pulumi = require("@pulumi/pulumi");

const [project, stack, region] = process.argv.slice(2);
const types = [];
let mocks;
// The mocks are TypeScript; they load on first use, after the run script has registered ts-node.
const real = () => (mocks ??= require("../../offline/mocks.ts").awsMocks(region));
pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            types.push(args.type);
            return real().newResource(args);
        },
        call: (args) => real().call(args),
    },
    project,
    stack,
    false,
);
process.on("exit", () => console.log(JSON.stringify({ types })));

process.env.PULUMI_NODEJS_TYPESCRIPT = "true";
const root = path.join(__dirname, "..", "..");
process.argv = [process.argv[0], "run", "--monitor=mock", `--stack=${stack}`, `--project=${project}`, `--pwd=${root}`, "."];
require("@pulumi/pulumi/cmd/run");
