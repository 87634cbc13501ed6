#!/bin/bash
# First boot of the debug host: database client tools, then one connection test whose result
# (never the password) goes to /tmp/db_test.log.
yum install -y mysql jq awscli nc telnet

log=/tmp/db_test.log
param() {{ aws ssm get-parameter --region {region} --name "$1" --query Parameter.Value --output text; }}
user=$(param "{username_parameter}")
secret_arn=$(param "{secret_parameter}")
password=$(aws secretsmanager get-secret-value --region {region} --secret-id "$secret_arn" \
  --query SecretString --output text | jq -r .password)
echo "url parameter {url_parameter}: $(param "{url_parameter}")" > "$log"
MYSQL_PWD="$password" mysql -h "{endpoint}" -P {port} -u "$user" \
  -e "SHOW DATABASES; SELECT CURRENT_USER();" >> "$log" 2>&1 && echo "connection: ok" >> "$log" \
  || echo "connection: failed" >> "$log"
