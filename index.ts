// Wiring only: read the config, deploy the target it names, export the stack outputs. Each target
// module is loaded only when chosen, so the local target never loads the AWS SDK.
import { loadConfig } from "./config";

export = async () => {
    // Invalid config throws here, listing every problem, before any resource is registered.
    const config = loadConfig();
    if (config.target === "local") {
        const { deployLocal }: typeof import("./targets/local") = require("./targets/local");
        return deployLocal(config);
    }
    const { deployEks }: typeof import("./targets/eks") = require("./targets/eks");
    return deployEks(config);
};
