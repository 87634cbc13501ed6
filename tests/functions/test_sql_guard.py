"""The SQL guard, table-driven: hostile statements of every class are refused, and the SQL of the
assistant's ordinary questions is accepted, capped and returned as a single SELECT."""
from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from sql_guard import DEFAULT_LIMIT, MAX_LIMIT, SqlRefused, guard, shape

HOSTILE = {
    # stacked queries
    "stacked drop": "SELECT 1; DROP TABLE owners",
    "stacked delete": "SELECT * FROM owners; DELETE FROM owners",
    "stacked select": "SELECT * FROM owners; SELECT * FROM pets",
    "double semicolon": "SELECT * FROM owners;;",
    "stacked after string": "SELECT * FROM owners WHERE first_name = 'a'; UPDATE owners SET city = 'x'",
    # not a SELECT
    "drop": "DROP TABLE owners",
    "delete": "DELETE FROM owners",
    "update": "UPDATE owners SET city = 'Nowhere'",
    "insert": "INSERT INTO owners (first_name) VALUES ('x')",
    "replace": "REPLACE INTO owners VALUES (1)",
    "truncate": "TRUNCATE TABLE visits",
    "alter": "ALTER TABLE owners ADD COLUMN x INT",
    "create as select": "CREATE TABLE copy AS SELECT * FROM owners",
    "grant": "GRANT ALL ON *.* TO 'x'@'%'",
    "set global": "SET GLOBAL general_log = 1",
    "call": "CALL cleanup()",
    "show": "SHOW TABLES",
    "table statement": "TABLE owners",
    "do sleep": "DO SLEEP(5)",
    "load data": "LOAD DATA INFILE '/etc/passwd' INTO TABLE owners",
    "handler": "HANDLER owners OPEN",
    "parenthesised root": "(SELECT * FROM owners)",
    "with clause": "WITH x AS (SELECT * FROM owners) SELECT * FROM x",
    "union": "SELECT first_name FROM owners UNION SELECT name FROM pets",
    "union into mysql": "SELECT first_name, last_name FROM owners UNION SELECT user, authentication_string FROM mysql.user",
    # INTO and locking
    "into outfile": "SELECT * FROM owners INTO OUTFILE '/tmp/owners.csv'",
    "into dumpfile": "SELECT * FROM owners INTO DUMPFILE '/tmp/owners'",
    "into variable": "SELECT id INTO @v FROM owners",
    "for update": "SELECT * FROM owners FOR UPDATE",
    "share mode": "SELECT * FROM owners LOCK IN SHARE MODE",
    "for share nowait": "SELECT * FROM owners FOR SHARE NOWAIT",
    # other schemas and tables
    "mysql.user": "SELECT user, authentication_string FROM mysql.user",
    "information_schema": "SELECT table_name FROM information_schema.tables",
    "performance_schema": "SELECT * FROM performance_schema.threads",
    "sys schema": "SELECT * FROM sys.session",
    "quoted mysql": "SELECT * FROM `mysql`.`user`",
    "upper case mysql": "SELECT * FROM MYSQL.USER",
    "join to mysql": "SELECT o.id FROM owners o JOIN mysql.user u ON 1 = 1",
    "subquery on information_schema": "SELECT * FROM owners WHERE id IN (SELECT 1 FROM information_schema.columns)",
    "derived table on mysql": "SELECT * FROM (SELECT * FROM mysql.user) AS t",
    "other database": "SELECT * FROM other_db.owners",
    "unknown table": "SELECT * FROM users",
    "no table": "SELECT 1",
    "table function": "SELECT * FROM JSON_TABLE('[]', '$[*]' COLUMNS (a INT PATH '$')) AS t",
    # dangerous functions and variables
    "sleep": "SELECT SLEEP(10) FROM owners",
    "sleep in where": "SELECT * FROM owners WHERE 1 = 1 OR SLEEP(5)",
    "benchmark": "SELECT BENCHMARK(1000000, MD5('a')) FROM owners",
    "load_file": "SELECT LOAD_FILE('/etc/passwd') FROM owners",
    "get_lock": "SELECT GET_LOCK('x', 10) FROM owners",
    "user()": "SELECT USER() FROM owners",
    "database()": "SELECT DATABASE() FROM owners",
    "version()": "SELECT VERSION() FROM owners",
    "extractvalue": "SELECT EXTRACTVALUE(1, CONCAT(0x7e, VERSION())) FROM owners",
    "regexp": "SELECT * FROM owners WHERE first_name REGEXP '(a+)+$'",
    "system variable": "SELECT @@version FROM owners",
    "user variable assignment": "SELECT @a := first_name FROM owners",
    "user variable read": "SELECT * FROM owners WHERE id = @id",
    "placeholder": "SELECT * FROM owners WHERE id = ?",
    "limit expression": "SELECT * FROM owners LIMIT 1 + 1",
    # comments
    "dash comment": "SELECT * FROM owners -- DROP TABLE owners",
    "hash comment": "SELECT * FROM owners # note",
    "block comment": "SELECT * FROM owners /* note */",
    "executable comment": "SELECT 1 /*!50000 , SLEEP(5)*/ FROM owners",
    "inline empty comment": "SELECT * FROM owners/**/WHERE 1 = 1",
    "comment hides stacking": "SELECT * FROM owners WHERE id = 1 --\n; DROP TABLE owners",
    # case and whitespace games
    "mixed case stacking": "sElEcT 1; dRoP tAbLe owners",
    "tabs and newlines stacking": "SELECT\t*\nFROM\rowners;\n\nDROP\tTABLE owners",
    "padded delete": "  \n DELETE FROM owners  ",
    "mixed case sleep": "SeLeCt SlEeP(1) FROM owners",
    # unicode look-alikes and invisible characters
    "fullwidth semicolon": "SELECT * FROM owners\uff1bDROP TABLE owners",
    "fullwidth select": "\uff33\uff25\uff2c\uff25\uff23\uff34 * FROM owners",
    "cyrillic o": "SELECT * FROM \u043ewners",
    "no-break space": "SELECT\u00a0* FROM owners",
    "zero width space": "SELECT * FROM owners\u200b; DROP TABLE owners",
    "nul in literal": "SELECT * FROM owners WHERE first_name = 'a\x00'",
    # not a statement at all
    "empty": "",
    "blank": "   \n ",
    "too long": "SELECT " + "first_name, " * 400 + "id FROM owners",
    "garbage": "SELECT FROM WHERE",
}


@pytest.mark.parametrize("sql", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_statements_are_refused(sql):
    with pytest.raises(SqlRefused) as refusal:
        guard(sql)
    assert refusal.value.reason
    assert sql.strip() == "" or sql.strip() not in str(refusal.value), "a refusal never repeats the statement"


@pytest.mark.parametrize("value", [None, 42, b"SELECT * FROM owners", ["SELECT * FROM owners"]])
def test_non_text_is_refused(value):
    with pytest.raises(SqlRefused):
        guard(value)


def test_the_hostile_table_is_large_enough():
    assert len(HOSTILE) >= 40


def test_stacked_drop_is_refused_as_a_second_statement():
    with pytest.raises(SqlRefused, match="only one statement is allowed"):
        guard("SELECT 1; DROP TABLE owners")


LEGITIMATE = {
    "owner of a pet": "SELECT o.first_name, o.last_name FROM owners o JOIN pets p ON o.id = p.owner_id "
                      "WHERE p.name LIKE '%Leo%'",
    "korean pet name": "SELECT o.first_name, o.last_name FROM owners o JOIN pets p ON o.id = p.owner_id "
                       "WHERE p.name LIKE '%춘식%'",
    "exists check": "SELECT COUNT(*) AS count FROM owners o JOIN pets p ON o.id = p.owner_id "
                    "WHERE o.first_name LIKE '%Maria%' AND p.name LIKE '%Coco%'",
    "pets of a full name": "SELECT p.name AS pet_name FROM pets p JOIN owners o ON p.owner_id = o.id "
                           "WHERE o.first_name LIKE '%George%' AND o.last_name LIKE '%Franklin%'",
    "address": "SELECT o.address, o.city, o.telephone FROM owners o WHERE o.first_name LIKE '%George%'",
    "latest visit": "SELECT v.visit_date, v.description FROM visits v JOIN pets p ON v.pet_id = p.id "
                    "WHERE p.name LIKE '%Leo%' ORDER BY v.visit_date DESC LIMIT 1",
    "owners without pets": "SELECT o.first_name, o.last_name FROM owners o LEFT JOIN pets p ON o.id = p.owner_id "
                           "WHERE p.id IS NULL",
    "cat owners": "SELECT DISTINCT o.first_name, o.last_name FROM owners o JOIN pets p ON o.id = p.owner_id "
                  "JOIN types t ON p.type_id = t.id WHERE t.name LIKE '%cat%'",
    "surgeons": "SELECT v.first_name, v.last_name FROM vets v JOIN vet_specialties vs ON vs.vet_id = v.id "
                "JOIN specialties s ON vs.specialty_id = s.id WHERE s.name = 'surgery'",
    "october visits": "SELECT p.name, v.visit_date FROM pets p JOIN visits v ON v.pet_id = p.id "
                      "WHERE MONTH(v.visit_date) = 10 ORDER BY v.visit_date",
    "pets per owner": "SELECT o.last_name, COUNT(p.id) AS pets FROM owners o LEFT JOIN pets p ON p.owner_id = o.id "
                      "GROUP BY o.last_name HAVING COUNT(p.id) > 1 ORDER BY pets DESC",
    "ages": "SELECT name, TIMESTAMPDIFF(YEAR, birth_date, CURDATE()) AS age FROM pets WHERE type_id IN (1, 2)",
    "recent visits": "SELECT description FROM visits WHERE visit_date >= DATE_SUB(NOW(), INTERVAL 1 YEAR)",
    "subquery": "SELECT first_name FROM owners WHERE id IN (SELECT owner_id FROM pets WHERE name LIKE 'M%')",
    "derived table": "SELECT t.n FROM (SELECT name AS n FROM types) AS t",
    "schema-qualified": "SELECT * FROM petclinic.owners",
    "trailing semicolon": "SELECT name FROM pets;",
    "between and case": "SELECT name, CASE WHEN birth_date < '2010-01-01' THEN 'senior' ELSE 'young' END AS age "
                        "FROM pets WHERE id BETWEEN 1 AND 5",
    "string with punctuation": "SELECT * FROM owners WHERE address LIKE '%St.; Apt%'",
    "large limit": "SELECT * FROM visits LIMIT 1000",
    "limit with offset": "SELECT * FROM visits LIMIT 10, 5",
}


@pytest.mark.parametrize("sql", list(LEGITIMATE.values()), ids=list(LEGITIMATE))
def test_legitimate_questions_are_accepted_as_one_capped_select(sql):
    safe = guard(sql)
    statements = sqlglot.parse(safe, read="mysql")
    assert len(statements) == 1 and isinstance(statements[0], exp.Select)
    limit = statements[0].args["limit"].expression
    assert 1 <= int(limit.this) <= MAX_LIMIT
    assert guard(sql) == safe, "guarding is deterministic"


def test_the_model_may_not_write_its_own_hint():
    """The time cap is the guard's; a model-written optimizer hint is a comment and refused."""
    with pytest.raises(SqlRefused, match="comment"):
        guard(guard("SELECT name FROM pets"))


def test_a_missing_limit_is_added():
    assert guard("SELECT name FROM pets").endswith(f"LIMIT {DEFAULT_LIMIT}")


def test_a_large_limit_is_capped_and_a_small_one_kept():
    assert guard("SELECT name FROM pets LIMIT 1000").endswith(f"LIMIT {MAX_LIMIT}")
    assert guard("SELECT name FROM pets LIMIT 3").endswith("LIMIT 3")


def test_the_log_shape_keeps_no_literal():
    logged = shape(guard("SELECT * FROM owners WHERE first_name LIKE '%Kim Minji%'"))
    assert "Kim" not in logged and "owners" in logged
