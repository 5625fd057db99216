"""Whether appModule names what gunicorn can load: python appmodule.py APP_DIR MODULE:CALLABLE[()].

Imports the module from APP_DIR, as the image's WORKDIR has it, without calling a factory (that is the
app's own start, with its real settings). Prints one JSON object: {"ok": true}, or {"problem": ...}
when the module or the callable is not there, or {"notice": ...} when importing it raised something
else (which may be the settings the plan cannot give it).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import traceback


def check(app_dir: str, spec: str) -> dict:
    module_name, _, attribute = spec.partition(":")
    attribute = attribute.removesuffix("()")
    sys.path.insert(0, app_dir)
    # The image runs the module from app/: one of the same name that the environment also has (a
    # dependency, the standard library) is not the app.
    top = module_name.partition(".")[0]
    found = importlib.util.find_spec(top) if top.isidentifier() else None
    places = []
    if found:
        places = [found.origin] if found.has_location else list(found.submodule_search_locations or [])
    inside = os.path.realpath(app_dir) + os.sep
    if not any(os.path.realpath(place).startswith(inside) for place in places if place):
        elsewhere = f" ({top} is {places[0] if places else 'built into Python'})" if found else ""
        return {"problem": f"no module {module_name} in app/{elsewhere}"}
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        # The module itself, or one of its parents, is not in app/; any other name is a dependency.
        if error.name and (module_name == error.name or module_name.startswith(f"{error.name}.")):
            return {"problem": f"no module {module_name} in app/"}
        return {
            "problem": f"importing {module_name} needs {error.name}, which is not installed: "
            "add it to app/requirements.txt (npm run plan installs it)"
        }
    except Exception:  # noqa: BLE001 - whatever the app raises at import is reported, not crashed on
        last = traceback.format_exc().strip().splitlines()[-1]
        return {"notice": f"importing {module_name} raised {last}; it may need settings only the pod has"}
    if not callable(getattr(module, attribute, None)):
        where = os.path.relpath(module.__file__ or module_name, os.path.dirname(app_dir))
        return {"problem": f"module {module_name} ({where}) has no callable {attribute}"}
    return {"ok": True}


if __name__ == "__main__":
    print(json.dumps(check(sys.argv[1], sys.argv[2])))
