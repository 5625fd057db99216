from flaskapp import create_app
from flaskapp.config import Config


def test_greeting_has_version_and_pod(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"message": "Hello from Flask on EKS", "version": "1.2.3", "pod": "web-abc12"}


def test_greeting_comes_from_the_environment():
    # appEnv reaches the app as environment variables: GREETING=... changes what / says.
    config = Config.from_env({"GREETING": "Hi from appEnv", "APP_VERSION": "9", "POD_NAME": "p"})
    response = create_app(config).test_client().get("/")
    assert response.get_json() == {"message": "Hi from appEnv", "version": "9", "pod": "p"}


def test_hello_greets_a_plain_name(client):
    response = client.get("/hello/Ada Lovelace")
    assert response.status_code == 200
    assert response.get_json() == {"message": "Hello, Ada Lovelace!"}


def test_hello_refuses_anything_else_as_json_400(client):
    response = client.get("/hello/<script>")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "name: letters, spaces, . ' and - only, at most 64"
