"""Checks of §7 of the design: the Aurora cluster, its capacity, endpoints, backups and security
(A70–A83), and the encrypted backups of §8.4 (A95), which read the same cluster."""
from __future__ import annotations

import re

from tools.design.checks import check
from tools.design.checks.common_s07_s14 import jdbc_urls, referenced_resources
from tools.design.checks.primitives import changed, every, expect, expect_that, fixture, remote_state, without
from tools.design.stacks import Block, Stacks
from tools.design.verdict import Verdict, combine, failed, passed

DB = "03-database"
NET = "01-network"
CLUSTER = "aws_rds_cluster.aurora"
_CLUSTER_BODY = {"engine": "aurora-mysql", "engine_version": "8.0.mysql_aurora.3.08.0", "backup_retention_period": 7,
                 "preferred_backup_window": "03:00-04:00", "storage_encrypted": True,
                 "serverlessv2_scaling_configuration": {"min_capacity": 0.5, "max_capacity": 1},
                 "db_subnet_group_name": "${aws_db_subnet_group.db.name}",
                 "db_cluster_parameter_group_name": "${aws_rds_cluster_parameter_group.tls.name}",
                 "iam_database_authentication_enabled": True, "manage_master_user_password": True}
_INSTANCE = {"cluster_identifier": "${aws_rds_cluster.aurora.id}", "instance_class": "db.serverless",
             "performance_insights_enabled": True, "monitoring_interval": 60,
             "monitoring_role_arn": "${aws_iam_role.monitoring.arn}"}
AURORA = fixture(
    (NET, "aws_subnet.db_0", {"availability_zone": "us-west-2a", "cidr_block": "10.0.5.0/24"}),
    (NET, "aws_subnet.db_1", {"availability_zone": "us-west-2b", "cidr_block": "10.0.6.0/24"}),
    (NET, "output.private_db_subnet_ids", {"0": "${aws_subnet.db_0.id}", "1": "${aws_subnet.db_1.id}"}),
    remote_state(DB, "network", NET),
    (DB, "aws_db_subnet_group.db", {"subnet_ids": "${values(data.terraform_remote_state.network.outputs.private_db_subnet_ids)}"}),
    (DB, "aws_rds_cluster_parameter_group.tls", {"family": "aurora-mysql8.0",
                                                 "parameter": [{"name": "require_secure_transport", "value": "ON"}]}),
    (DB, CLUSTER, _CLUSTER_BODY),
    (DB, "aws_rds_cluster_instance.writer", _INSTANCE),
    (DB, "aws_rds_cluster_instance.reader", _INSTANCE),
    (DB, "output.cluster_endpoint", "${aws_rds_cluster.aurora.endpoint}"),
    (DB, "output.reader_endpoint", "${aws_rds_cluster.aurora.reader_endpoint}"),
    ("04-parameter-store", "aws_ssm_parameter.customers_url",
     {"value": "jdbc:mysql://${data.terraform_remote_state.database.outputs.cluster_endpoint}:3306/petclinic_customers?useSSL=true"}),
    ("04-parameter-store", "aws_ssm_parameter.vets_url", {"value": "jdbc:mysql://db:3306/petclinic_vets?useSSL=true"}),
    ("04-parameter-store", "aws_ssm_parameter.visits_url", {"value": "jdbc:mysql://db:3306/petclinic_visits?useSSL=true"}),
)
NO_CLUSTER = fixture((NET, "aws_vpc.vpc", {"cidr_block": "10.0.0.0/16"}))


def _clusters(stacks: Stacks, judge) -> Verdict:
    return every(stacks.resources("aws_rds_cluster"), "aws_rds_cluster", judge)


def _instances_of(stacks: Stacks, cluster: Block) -> list[Block]:
    return [i for i in stacks.resources("aws_rds_cluster_instance", cluster.layer)
            if i.body.get("cluster_identifier") in (f"${{{cluster.address}.id}}", f"${{{cluster.address}.cluster_identifier}}",
                                                    cluster.body.get("cluster_identifier"))]


@check("A70", passing=[AURORA, changed(AURORA, DB, CLUSTER, engine_version="8.0.mysql_aurora.3.08.2")],
       failing=[changed(AURORA, DB, CLUSTER, engine_version="8.0.mysql_aurora.3.07.0"),
                changed(AURORA, DB, CLUSTER, engine="aurora-postgresql"), NO_CLUSTER])
def engine_version(stacks: Stacks) -> Verdict:
    return _clusters(stacks, lambda c: combine([
        expect(c, "engine", "aurora-mysql"),
        expect_that(c, "engine_version", lambda v: bool(re.fullmatch(r"8\.0\.mysql_aurora\.3\.08\.\d+", str(v))),
                    "8.0.mysql_aurora.3.08.0 or a later 3.08 patch")]))


def _writer_and_reader(stacks: Stacks, minimum: int, exact: bool) -> Verdict:
    def judge(cluster: Block) -> Verdict:
        instances = _instances_of(stacks, cluster)
        listed = ", ".join(i.address for i in instances) or "none"
        good = len(instances) == minimum if exact else len(instances) >= minimum
        wanted = f"exactly {minimum}" if exact else f"at least {minimum}"
        return (passed if good else failed)(f"{cluster.where} has {len(instances)} instances ({listed})"
                                            + ("" if good else f", expected {wanted}"))
    return _clusters(stacks, judge)


@check("A71", passing=[AURORA], failing=[without(AURORA, DB, "aws_rds_cluster_instance.reader"), NO_CLUSTER])
def writer_plus_reader(stacks: Stacks) -> Verdict:
    return _writer_and_reader(stacks, 2, exact=True)


@check("A77", passing=[AURORA], failing=[without(AURORA, DB, "aws_rds_cluster_instance.reader"), NO_CLUSTER])
def failover_candidate(stacks: Stacks) -> Verdict:
    # Aurora promotes a reader of the same cluster when the writer fails: it needs a second instance.
    return _writer_and_reader(stacks, 2, exact=False)


def _db_subnets(stacks: Stacks, cluster: Block) -> Verdict:
    groups = referenced_resources(stacks, cluster.layer, cluster.body.get("db_subnet_group_name"), "aws_db_subnet_group")
    if not groups:
        return failed(f"{cluster.where} db_subnet_group_name = {cluster.body.get('db_subnet_group_name')} names no aws_db_subnet_group of the stacks")
    group = groups[0]
    ids = str(group.body.get("subnet_ids"))
    if "private_db_subnet_ids" not in ids:
        return failed(f"{group.where} subnet_ids = {ids}, expected the private DB subnets (output private_db_subnet_ids)")
    subnets = referenced_resources(stacks, group.layer, group.body.get("subnet_ids"), "aws_subnet")
    zones = sorted({str(s.body.get("availability_zone")) for s in subnets})
    if len(zones) < 2:
        return failed(f"{group.where} subnet_ids -> {', '.join(s.where for s in subnets) or 'no aws_subnet'} span {zones}, expected 2 AZs")
    public = [s.where for s in subnets if s.body.get("map_public_ip_on_launch")]
    if public:
        return failed(f"{group.where} uses subnets that give public IPs: {', '.join(public)}")
    return passed(f"{group.where} subnet_ids = private_db_subnet_ids -> {', '.join(s.where for s in subnets)} in {zones}")


@check("A72", passing=[AURORA],
       failing=[changed(AURORA, NET, "aws_subnet.db_1", availability_zone="us-west-2a"),
                changed(AURORA, DB, "aws_db_subnet_group.db",
                        subnet_ids="${values(data.terraform_remote_state.network.outputs.public_subnet_ids)}"), NO_CLUSTER])
def private_db_subnets_multi_az(stacks: Stacks) -> Verdict:
    return _clusters(stacks, lambda c: _db_subnets(stacks, c))


@check("A73", passing=[AURORA], failing=[changed(AURORA, DB, CLUSTER, backup_retention_period=1), NO_CLUSTER])
def backups_seven_days(stacks: Stacks) -> Verdict:
    # Automated backups are what point-in-time recovery restores from; retention 1 is the provider default.
    return _clusters(stacks, lambda c: expect_that(c, "backup_retention_period", lambda v: isinstance(v, int) and v >= 7,
                                                   "at least 7 (days)"))


@check("A74", passing=[AURORA],
       failing=[changed(AURORA, DB, CLUSTER, serverlessv2_scaling_configuration={"min_capacity": 2, "max_capacity": 8}),
                changed(AURORA, DB, "aws_rds_cluster_instance.reader", instance_class="db.r6g.large"), NO_CLUSTER])
def serverless_v2_half_to_one_acu(stacks: Stacks) -> Verdict:
    def judge(cluster: Block) -> Verdict:
        parts = [expect(cluster, "serverlessv2_scaling_configuration.min_capacity", 0.5),
                 expect(cluster, "serverlessv2_scaling_configuration.max_capacity", 1)]
        parts += [expect(i, "instance_class", "db.serverless") for i in _instances_of(stacks, cluster)]
        return combine(parts)
    return _clusters(stacks, judge)


SERVICE_DATABASES = ("petclinic_customers", "petclinic_vets", "petclinic_visits")


@check("A75", passing=[AURORA],
       failing=[changed(AURORA, "04-parameter-store", "aws_ssm_parameter.vets_url", value="jdbc:mysql://db:3306/petclinic"),
                NO_CLUSTER])
def logical_databases(stacks: Stacks) -> Verdict:
    urls = jdbc_urls(stacks)
    if not urls:
        return failed("no JDBC URL in any aws_ssm_parameter or ECS container definition")
    found = {name: [w for w, url in urls if re.search(rf"/{name}(\?|$)", url)] for name in SERVICE_DATABASES}
    missing = [name for name, places in found.items() if not places]
    if missing:
        shown = "; ".join(f"{w}: {url}" for w, url in urls[:3])
        return failed(f"no JDBC URL names {', '.join(missing)} (found {shown})")
    return passed("; ".join(f"{name} in {places[0]}" for name, places in found.items()))


@check("A76", passing=[AURORA], failing=[without(AURORA, DB, "aws_rds_cluster_instance.reader"),
                                          fixture((DB, CLUSTER, _CLUSTER_BODY), (DB, "output.cluster_endpoint", "${aws_rds_cluster.aurora.endpoint}"))])
def endpoints(stacks: Stacks) -> Verdict:
    def judge(cluster: Block) -> Verdict:
        outputs = stacks.outputs(cluster.layer)
        parts = []
        for attr, what in (("endpoint", "writer (cluster) endpoint"), ("reader_endpoint", "reader endpoint")):
            named = [o.address for o in outputs.values() if o.body.get("value") == f"${{{cluster.address}.{attr}}}"]
            parts.append(passed(f"{cluster.layer} {named[0]} = {cluster.address}.{attr}") if named
                         else failed(f"{cluster.layer} has no output of {cluster.address}.{attr} ({what})"))
        instances = _instances_of(stacks, cluster)
        # A reader endpoint balances over readers: with a single instance it has nothing to balance.
        parts.append(passed(f"{len(instances)} instance endpoints") if len(instances) >= 2
                     else failed(f"{cluster.where} has {len(instances)} instance(s): no reader behind the reader endpoint"))
        return combine(parts)
    return _clusters(stacks, judge)


@check("A78", passing=[AURORA], failing=[changed(AURORA, DB, CLUSTER, preferred_backup_window="07:00-08:00"), NO_CLUSTER])
def backup_window(stacks: Stacks) -> Verdict:
    return _clusters(stacks, lambda c: expect(c, "preferred_backup_window", "03:00-04:00"))


_COPY = fixture(("03-database", "aws_backup_plan.aurora", {"name": "p", "rule": [{
    "rule_name": "daily", "target_vault_name": "${aws_backup_vault.local.name}",
    "copy_action": [{"destination_vault_arn": "arn:aws:backup:us-east-1:111122223333:backup-vault:dr"}]}]}))


@check("A79", passing=[_COPY, fixture((DB, "aws_rds_global_cluster.g", {"global_cluster_identifier": "g"}))],
       failing=[fixture(("03-database", "aws_backup_plan.aurora", {"name": "p", "rule": [{"rule_name": "daily"}]})), AURORA])
def cross_region_backup(stacks: Stacks) -> Verdict:
    copies = [p.where for p in stacks.resources("aws_backup_plan") if "destination_vault_arn" in str(p.body.get("rule"))]
    globals_ = [g.where for g in stacks.resources("aws_rds_global_cluster")]
    if copies or globals_:
        return passed("cross-region copy: " + ", ".join(copies + globals_))
    return failed("no aws_backup_plan rule with a copy_action and no aws_rds_global_cluster")


def encrypted_at_rest(stacks: Stacks) -> Verdict:
    # storage_encrypted without kms_key_id uses the AWS-managed aws/rds KMS key: still KMS.
    return _clusters(stacks, lambda c: expect(c, "storage_encrypted", True, absent_means=False))


check("A80", passing=[AURORA], failing=[changed(AURORA, DB, CLUSTER, storage_encrypted=None), NO_CLUSTER])(encrypted_at_rest)


@check("A95", passing=[AURORA], failing=[changed(AURORA, DB, CLUSTER, storage_encrypted=False), NO_CLUSTER])
def encrypted_backups(stacks: Stacks) -> Verdict:
    # Aurora snapshots and automated backups take the cluster's storage encryption.
    return encrypted_at_rest(stacks)


def tls_enforced(stacks: Stacks) -> Verdict:
    def judge(cluster: Block) -> Verdict:
        groups = referenced_resources(stacks, cluster.layer, cluster.body.get("db_cluster_parameter_group_name"),
                                      "aws_rds_cluster_parameter_group")
        if not groups:
            return failed(f"{cluster.where} db_cluster_parameter_group_name = "
                          f"{cluster.body.get('db_cluster_parameter_group_name', '(not set)')}: no parameter group of the stacks")
        values = [str(p.get("value")) for p in groups[0].body.get("parameter", []) or []
                  if p.get("name") == "require_secure_transport"]
        if values and values[0].upper() in ("ON", "1"):
            return passed(f"{groups[0].where} require_secure_transport = {values[0]}")
        return failed(f"{groups[0].where} require_secure_transport = {values[0] if values else '(not set)'}, expected ON")
    clients = [failed(f"{where} connects with useSSL=false: {url}") for where, url in jdbc_urls(stacks) if "useSSL=false" in url]
    return combine([_clusters(stacks, judge)] + clients)


check("A81", passing=[AURORA], failing=[
    changed(AURORA, DB, "aws_rds_cluster_parameter_group.tls", parameter=[{"name": "require_secure_transport", "value": "OFF"}]),
    changed(AURORA, "04-parameter-store", "aws_ssm_parameter.vets_url", value="jdbc:mysql://db:3306/petclinic_vets?useSSL=false"),
    changed(AURORA, DB, CLUSTER, db_cluster_parameter_group_name=None), NO_CLUSTER])(tls_enforced)


@check("A82", passing=[AURORA], failing=[changed(AURORA, DB, "aws_rds_cluster_instance.reader", publicly_accessible=True),
                                          changed(AURORA, DB, "aws_db_subnet_group.db", subnet_ids=["subnet-public"]), NO_CLUSTER])
def only_inside_the_vpc(stacks: Stacks) -> Verdict:
    def judge(cluster: Block) -> Verdict:
        parts = [_db_subnets(stacks, cluster)]
        parts += [expect(i, "publicly_accessible", False, absent_means=False) for i in _instances_of(stacks, cluster)]
        return combine(parts)
    return _clusters(stacks, judge)


@check("A83", passing=[AURORA], failing=[changed(AURORA, DB, CLUSTER, iam_database_authentication_enabled=None), NO_CLUSTER])
def iam_database_authentication(stacks: Stacks) -> Verdict:
    def judge(cluster: Block) -> Verdict:
        password = cluster.body.get("manage_master_user_password") is True or "master_password" in cluster.body
        return combine([expect(cluster, "iam_database_authentication_enabled", True, absent_means=False),
                        passed(f"{cluster.where} keeps a password user") if password
                        else failed(f"{cluster.where} has no master password (manage_master_user_password or master_password)")])
    return _clusters(stacks, judge)
