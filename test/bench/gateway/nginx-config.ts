/** nginx as the anchor: 1 worker, upstream keepalive, HTTP/1.1 upstream, `Connection ""`, weights 9:1 (PITFALLS.md: anything less is unfair to it). */
export function nginxConfig(dir: string, port: number, v1Port: number, v2Port: number, workers = 1): string {
  return `worker_processes ${workers};
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  upstream backends {
    server 127.0.0.1:${v1Port} weight=9;
    server 127.0.0.1:${v2Port} weight=1;
    keepalive 256;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}
