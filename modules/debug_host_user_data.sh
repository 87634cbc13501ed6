#!/bin/bash
# First boot of the debug host: database client tools, then one connection test whose result
# (never the password) goes to /tmp/db_test.log. The endpoint comes from the JDBC URL parameter.
yum install -y mysql jq awscli nc telnet

log=/tmp/db_test.log
param() {{ aws ssm get-parameter --region {region} --name "$1" --query Parameter.Value --output text; }}
url=$(param "{url_parameter}")
host=$(echo "$url" | sed -E 's#^jdbc:mysql://([^:/?]+).*#\1#')
port=$(echo "$url" | sed -E 's#^jdbc:mysql://[^:/?]+:([0-9]+).*#\1#')
user=$(param "{username_parameter}")
secret_arn=$(param "{secret_parameter}")
password=$(aws secretsmanager get-secret-value --region {region} --secret-id "$secret_arn" \
  --query SecretString --output text | jq -r .password)
echo "database $host:$port as $user" > "$log"
MYSQL_PWD="$password" mysql -h "$host" -P "$port" -u "$user" \
  -e "SHOW DATABASES; SELECT CURRENT_USER();" >> "$log" 2>&1 && echo "connection: ok" >> "$log" \
  || echo "connection: failed" >> "$log"
