"""The encryption-in-transit switches of the database (§7.6, §8.4), each way on the synthesized
JSON: `database.require_secure_transport`, `database.iam_authentication` (03-database) and
`parameter_store.jdbc_tls` (04-parameter-store's URL)."""
from __future__ import annotations

from tests.helpers import ref, resource, resources_of_type

CLUSTER = "aws_rds_cluster.aurora"
URL = "aws_ssm_parameter.parameters_db_url"


def test_as_deployed_tls_is_optional_and_turned_off_by_the_url(synthesized):
    dev = synthesized("dev")
    db = dev.stack("03-database")
    assert resources_of_type(db, "aws_rds_cluster_parameter_group") == {}
    cluster = resource(db, CLUSTER)
    assert "db_cluster_parameter_group_name" not in cluster
    assert "iam_database_authentication_enabled" not in cluster
    assert resource(dev.stack("04-parameter-store"), URL)["value"].endswith("?useSSL=false&allowPublicKeyRetrieval=true")


def test_to_be_the_cluster_requires_tls_and_the_url_asks_for_it(synthesized):
    staging = synthesized("staging")
    db = staging.stack("03-database")
    groups = resources_of_type(db, "aws_rds_cluster_parameter_group")
    assert list(groups) == ["aurora_tls"]
    assert groups["aurora_tls"]["family"] == "aurora-mysql8.0"
    assert groups["aurora_tls"]["parameter"] == [{"name": "require_secure_transport", "value": "ON"}]
    cluster = resource(db, CLUSTER)
    assert cluster["db_cluster_parameter_group_name"] == ref("aws_rds_cluster_parameter_group.aurora_tls", "name")
    assert cluster["iam_database_authentication_enabled"] is True
    assert cluster["manage_master_user_password"] is True
    url = resource(staging.stack("04-parameter-store"), URL)["value"]
    assert url.endswith(":3306/petclinic?sslMode=REQUIRED")
    assert "useSSL" not in url
